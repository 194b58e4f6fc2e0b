package dev.patchwright.worker.pack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the files of a test repository, creating the directories on the way. */
final class RepoFiles {

    private RepoFiles() {
    }

    static void write(Path root, String path, String content) throws IOException {
        write(root, path, content.getBytes(StandardCharsets.UTF_8));
    }

    static void write(Path root, String path, byte[] content) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }
}
