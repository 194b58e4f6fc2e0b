package dev.patchwright.worker.git;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A repository key such as {@code owner/name}, checked so that it maps to exactly one directory
 * directly under the mirror root (or any other per-repository root) and can never point anywhere else.
 *
 * @param key           the key as given, {@code owner/name} or {@code name}
 * @param directoryName the mirror's directory name, {@code owner~name.git}
 */
public record RepoKey(String key, String directoryName) {

    // Names GitHub allows for owners and repositories, plus nothing that a path could abuse.
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    /**
     * Checks a key and derives its directory name: {@code owner/name} becomes {@code owner~name.git}
     * and {@code name} becomes {@code name.git}; '~' never occurs in a segment, so no two keys
     * share a directory.
     *
     * @throws IllegalArgumentException when the key is not one or two safe segments
     */
    public static RepoKey parse(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("repository key is empty");
        }
        String[] segments = key.split("/", -1);
        if (segments.length > 2) {
            throw new IllegalArgumentException("repository key '" + printable(key)
                    + "' has more than one '/': expected owner/name");
        }
        for (String segment : segments) {
            if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("repository key '" + printable(key)
                        + "' is not owner/name made of letters, digits, '.', '_' and '-'");
            }
        }
        String directory = String.join("~", segments) + ".git";
        return new RepoKey(key, directory);
    }

    /**
     * A file name for this repository and no other, for per-repository directories besides the
     * mirror (dependency caches): {@code owner~name}. Unlike replacing '/' by a character that
     * segments may hold, it keeps {@code a_b/c} and {@code a/b_c} apart.
     */
    public String flatName() {
        return directoryName.substring(0, directoryName.length() - ".git".length());
    }

    /** The mirror directory of this key under {@code root}. */
    Path directory(Path root) {
        return root.resolve(directoryName);
    }

    private static String printable(String key) {
        String shown = key.length() > 120 ? key.substring(0, 120) + "..." : key;
        return shown.replaceAll("[\\p{Cntrl}]", "?");
    }
}
