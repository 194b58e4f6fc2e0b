package dev.patchwright.worker.git;

/** Checks of paths that come from a repository's trees or from a caller's list of changes. */
final class TreePaths {

    private TreePaths() {
    }

    /**
     * Why a slash-separated repository path is unsafe to write on the host, or null when it is
     * fine: no empty, {@code .} or {@code ..} segment, no {@code .git} segment in any letter case,
     * no NUL, not absolute.
     */
    static String unsafeReason(String path) {
        if (path == null || path.isEmpty()) {
            return "empty path";
        }
        if (path.indexOf('\0') >= 0) {
            return "path contains a NUL character";
        }
        if (path.startsWith("/")) {
            return "absolute path";
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "path has an empty, '.' or '..' segment";
            }
            if (segment.equalsIgnoreCase(".git")) {
                return "path has a .git segment";
            }
        }
        return null;
    }
}
