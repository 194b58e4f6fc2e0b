package dev.patchwright.inference.edit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * A path from model output, checked to name a file inside a repository that edits may touch.
 *
 * <p>The repository is hostile input: a committed symlink could point an edit at a host file, so no existing
 * component may be a symlink, checked without following links.
 *
 * @param relative the normalized path with forward slashes, e.g. {@code src/Calc.java}
 * @param file the absolute file inside the root
 */
record RepoPath(String relative, Path file) {

    /**
     * Checks {@code path} against {@code root}.
     *
     * @throws EditApplyException when the path is blank, absolute, escapes the root, lies in {@code .git}, crosses a
     *     symlink, or names something that is not a regular file
     */
    static RepoPath resolve(Path root, String path) throws EditApplyException {
        if (path.isBlank()) {
            throw new EditApplyException("(blank path): a file path is required");
        }
        if (path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0) {
            throw new EditApplyException(path + ": use forward slashes and no control characters in paths");
        }
        Path given;
        try {
            given = Path.of(path);
        } catch (InvalidPathException e) {
            throw new EditApplyException(path + ": not a valid path (" + e.getReason() + ")");
        }
        if (given.isAbsolute() || path.startsWith("/")) {
            throw new EditApplyException(path + ": absolute paths are not allowed; give the path relative to the "
                    + "repository root");
        }
        Path normalized = given.normalize();
        String relative = normalized.toString().replace('\\', '/');
        if (relative.isEmpty() || relative.equals(".")) {
            throw new EditApplyException(path + ": does not name a file");
        }
        if (normalized.startsWith("..")) {
            throw new EditApplyException(path + ": leaves the repository; paths must stay inside it");
        }
        for (Path part : normalized) {
            if (part.toString().toLowerCase(Locale.ROOT).equals(".git")) {
                throw new EditApplyException(relative + ": files under .git may not be edited");
            }
        }
        Path base = root.toAbsolutePath().normalize();
        Path current = base;
        int count = normalized.getNameCount();
        for (int i = 0; i < count; i++) {
            current = current.resolve(normalized.getName(i).toString());
            BasicFileAttributes attributes = attributesOf(current, relative);
            if (attributes == null) {
                break;
            }
            String shown = normalized.subpath(0, i + 1).toString().replace('\\', '/');
            if (attributes.isSymbolicLink()) {
                throw new EditApplyException(relative + ": " + shown + " is a symbolic link; edits may not go "
                        + "through links");
            }
            boolean last = i == count - 1;
            if (!last && !attributes.isDirectory()) {
                throw new EditApplyException(relative + ": " + shown + " is not a directory");
            }
            if (last && !attributes.isRegularFile()) {
                throw new EditApplyException(relative + ": not a regular file");
            }
        }
        return new RepoPath(relative, base.resolve(normalized));
    }

    /** The attributes of a path without following links, or null when nothing is there. */
    private static BasicFileAttributes attributesOf(Path path, String relative) throws EditApplyException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new EditApplyException(relative + ": cannot inspect the file (" + e.getMessage() + ")", e);
        }
    }
}
