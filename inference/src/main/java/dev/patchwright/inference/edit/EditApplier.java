package dev.patchwright.inference.edit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a model's {@link FileEdit}s to a repository checkout, all or nothing.
 *
 * <p>Every edit is checked and applied in memory first (several edits to one file apply in order); files are
 * written only when all of them succeed. Paths must be relative, stay inside the root, avoid {@code .git} and cross
 * no symlink. Files are read and written as UTF-8, keeping their line endings.
 */
public final class EditApplier {

    private EditApplier() {}

    /** One file's state while the edits are applied in memory. */
    private static final class Pending {
        final RepoPath path;
        final byte[] original;
        final String originalText;
        String text;

        Pending(RepoPath path, byte[] original, String originalText) {
            this.path = path;
            this.original = original;
            this.originalText = originalText;
            this.text = originalText;
        }

        boolean changed() {
            return text != null && !text.equals(originalText);
        }
    }

    /**
     * Applies the edits under {@code root}.
     *
     * @param root the repository checkout
     * @param edits the edits, in the order the model gave them
     * @return the relative paths (forward slashes) of the files changed or created, sorted, each once
     * @throws EditApplyException naming the file and the reason when any edit cannot be applied (bad path, SEARCH
     *     not found or ambiguous, file missing or already present, not UTF-8) or a file cannot be written; then no
     *     file is left changed
     */
    public static List<String> apply(Path root, List<FileEdit> edits) throws EditApplyException {
        if (root == null || !Files.isDirectory(root)) {
            throw new IllegalArgumentException("root must be an existing directory, was " + root);
        }
        if (edits == null) {
            throw new IllegalArgumentException("edits must not be null");
        }
        Map<String, Pending> files = new LinkedHashMap<>();
        for (int i = 0; i < edits.size(); i++) {
            FileEdit edit = edits.get(i);
            RepoPath path = RepoPath.resolve(root, edit.path());
            Pending file = files.get(path.relative());
            if (file == null) {
                file = load(path);
                files.put(path.relative(), file);
            }
            file.text = TextReplacement.apply(file.text, edit, path.relative(),
                    "edit " + (i + 1) + " of " + edits.size());
        }
        List<Pending> changed = files.values().stream().filter(Pending::changed)
                .sorted((a, b) -> a.path.relative().compareTo(b.path.relative())).toList();
        checkNoFileIsAnotherFilesDirectory(files);
        write(root.toAbsolutePath().normalize(), changed);
        return changed.stream().map(p -> p.path.relative()).toList();
    }

    private static Pending load(RepoPath path) throws EditApplyException {
        if (!Files.exists(path.file(), LinkOption.NOFOLLOW_LINKS)) {
            return new Pending(path, null, null);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path.file(), LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new EditApplyException(path.relative() + ": cannot read the file (" + e.getMessage() + ")", e);
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return new Pending(path, bytes, text);
        } catch (CharacterCodingException e) {
            throw new EditApplyException(path.relative() + ": not UTF-8 text, so it cannot be edited");
        }
    }

    /** Catches "create a/b" plus "create a/b/c" in one answer before anything is written. */
    private static void checkNoFileIsAnotherFilesDirectory(Map<String, Pending> files) throws EditApplyException {
        for (String relative : files.keySet()) {
            for (int slash = relative.indexOf('/'); slash >= 0; slash = relative.indexOf('/', slash + 1)) {
                Pending parent = files.get(relative.substring(0, slash));
                if (parent != null && parent.text != null) {
                    throw new EditApplyException(relative + ": " + parent.path.relative()
                            + " is a file, so it cannot be a directory");
                }
            }
        }
    }

    /** Writes every changed file; on a failure restores what was written and removes what was created. */
    private static void write(Path root, List<Pending> changed) throws EditApplyException {
        Deque<Runnable> undo = new ArrayDeque<>();
        for (Pending file : changed) {
            try {
                createParents(root, file.path.file().getParent(), undo);
                if (file.original == null) {
                    undo.push(() -> deleteQuietly(file.path.file()));
                } else {
                    undo.push(() -> writeQuietly(file.path.file(), file.original));
                }
                writeBytes(file.path.file(), file.text.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                while (!undo.isEmpty()) {
                    undo.pop().run();
                }
                throw new EditApplyException(file.path.relative() + ": cannot write the file (" + e.getMessage()
                        + "); no file was changed", e);
            }
        }
    }

    private static void createParents(Path root, Path dir, Deque<Runnable> undo) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path d = dir; d != null && d.startsWith(root) && !Files.exists(d, LinkOption.NOFOLLOW_LINKS);
                d = d.getParent()) {
            missing.add(0, d);
        }
        for (Path d : missing) {
            Files.createDirectory(d);
            undo.push(() -> deleteQuietly(d));
        }
    }

    private static void writeBytes(Path file, byte[] bytes) throws IOException {
        // NOFOLLOW_LINKS: if a link appeared since the check, fail instead of writing through it.
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            out.write(bytes);
        }
    }

    private static void writeQuietly(Path file, byte[] bytes) {
        try {
            writeBytes(file, bytes);
        } catch (IOException ignored) {
            // Best effort: the original error is the one the caller needs to see.
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // Best effort, as above.
        }
    }
}
