package dev.patchwright.worker.pack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

import org.eclipse.jgit.ignore.FastIgnoreRule;
import org.eclipse.jgit.ignore.IgnoreNode;

/**
 * The ignore rules in force at one point of a directory walk: extra patterns given by the caller
 * (relative to the root, and stronger than any {@code .gitignore}), then each directory's
 * {@code .gitignore} from the deepest up, as git reads them.
 */
final class IgnoreRules {

    private record Level(String directory, IgnoreNode node) {
    }

    private final IgnoreNode extra;
    private final Deque<Level> levels = new ArrayDeque<>();
    private final long maxBytes;

    /**
     * @param extraPatterns gitignore-style patterns relative to the root
     * @param maxBytes      a {@code .gitignore} larger than this is not read
     * @throws IllegalArgumentException when a pattern is not valid
     */
    IgnoreRules(List<String> extraPatterns, long maxBytes) {
        this.extra = new IgnoreNode(extraPatterns.stream().map(IgnoreRules::rule).toList());
        this.maxBytes = maxBytes;
    }

    private static FastIgnoreRule rule(String pattern) {
        try {
            return new FastIgnoreRule(pattern);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ignore pattern '" + pattern + "' is not valid: " + e.getMessage(), e);
        }
    }

    /**
     * Enters a directory: reads its {@code .gitignore} when it is a regular file (never through a
     * link). Every {@code enter} is matched by a {@link #leave()}.
     *
     * @param relative the directory's path from the root, "" for the root
     */
    void enter(Path dir, String relative) throws IOException {
        Path file = dir.resolve(".gitignore");
        IgnoreNode node = new IgnoreNode();
        BasicFileAttributes attributes = attributes(file);
        if (attributes != null && attributes.isRegularFile() && attributes.size() <= maxBytes) {
            try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                node.parse(file.toString(), in);
            }
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
    String reason(String relative, boolean directory) {
        if (Boolean.TRUE.equals(extra.checkIgnored(relative, directory))) {
            return "excluded by pattern";
        }
        for (Iterator<Level> it = levels.iterator(); it.hasNext(); ) {
            Level level = it.next();
            String path = level.directory().isEmpty() ? relative : relative.substring(level.directory().length() + 1);
            Boolean ignored = level.node().checkIgnored(path, directory);
            if (ignored != null) {
                return ignored ? "ignored by " + (level.directory().isEmpty() ? "" : level.directory() + "/")
                        + ".gitignore" : null;
            }
        }
        return null;
    }

    private static BasicFileAttributes attributes(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
    }
}
