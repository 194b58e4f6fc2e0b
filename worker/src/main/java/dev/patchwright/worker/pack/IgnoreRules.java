package dev.patchwright.worker.pack;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

import org.eclipse.jgit.ignore.FastIgnoreRule;
import org.eclipse.jgit.ignore.IgnoreNode;

/**
 * The ignore rules in force at one point of a tree walk, in git's precedence: extra patterns given
 * by the caller (relative to the root, stronger than anything in the tree), then each directory's
 * {@code .gitignore} from the deepest up, then the repository's {@code info/exclude}.
 */
final class IgnoreRules {

    private record Level(String directory, IgnoreNode node) {
    }

    private final IgnoreNode extra;
    private final IgnoreNode exclude = new IgnoreNode();
    private final Deque<Level> levels = new ArrayDeque<>();

    /**
     * @param extraPatterns gitignore-style patterns relative to the root
     * @throws IllegalArgumentException when a pattern is not valid, naming it
     */
    IgnoreRules(List<String> extraPatterns) {
        this.extra = new IgnoreNode(extraPatterns.stream().map(IgnoreRules::rule).toList());
    }

    private static FastIgnoreRule rule(String pattern) {
        try {
            return new FastIgnoreRule(pattern);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ignore pattern '" + pattern + "' is not valid: " + e.getMessage(), e);
        }
    }

    /** Reads the repository's {@code info/exclude}; null when it has none. */
    void exclude(InputStream in) throws IOException {
        if (in != null) {
            exclude.parse("info/exclude", in);
        }
    }

    /**
     * Enters a directory with its {@code .gitignore} (null when it has none). Every {@code enter} is
     * matched by a {@link #leave()}.
     *
     * @param relative the directory's path from the root, "" for the root
     */
    void enter(String relative, InputStream gitignore) throws IOException {
        IgnoreNode node = new IgnoreNode();
        if (gitignore != null) {
            node.parse(relative + "/.gitignore", gitignore);
        }
        levels.push(new Level(relative, node));
    }

    void leave() {
        levels.pop();
    }

    /**
     * Why the entry is ignored, or null when it is not.
     *
     * @param relative the entry's path from the root
     */
    Skip reason(String relative, boolean directory) {
        if (Boolean.TRUE.equals(extra.checkIgnored(relative, directory))) {
            return new Skip(Skip.Reason.EXCLUDED, "excluded by pattern");
        }
        for (Iterator<Level> it = levels.iterator(); it.hasNext(); ) {
            Level level = it.next();
            String path = level.directory().isEmpty() ? relative : relative.substring(level.directory().length() + 1);
            Boolean ignored = level.node().checkIgnored(path, directory);
            if (ignored != null) {
                return ignored ? new Skip(Skip.Reason.IGNORED, "ignored by "
                        + (level.directory().isEmpty() ? "" : level.directory() + "/") + ".gitignore") : null;
            }
        }
        return Boolean.TRUE.equals(exclude.checkIgnored(relative, directory))
                ? new Skip(Skip.Reason.IGNORED, "ignored by .git/info/exclude") : null;
    }
}
