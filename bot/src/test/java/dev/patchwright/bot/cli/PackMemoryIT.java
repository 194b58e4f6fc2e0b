package dev.patchwright.bot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packer streams: a repository more than twice as large as the JVM's heap (much of which the
 * tokenizer's tables take) packs into a file and onto standard output.
 */
class PackMemoryIT {

    private static final int FILES = 280;
    private static final int FILE_BYTES = 800 * 1024;
    private static final String HEAP = "-Xmx96m";

    @TempDir
    static Path temp;

    private static Path repo;

    @BeforeAll
    static void bigRepository() throws IOException {
        repo = Files.createDirectories(temp.resolve("repo"));
        StringBuilder line = new StringBuilder();
        for (int i = 0; line.length() < 100; i++) {
            line.append("value").append(i).append(" + ");
        }
        String block = (line + "1;\n").repeat(FILE_BYTES / (line.length() + 3));
        for (int i = 0; i < FILES; i++) {
            // The same content in every file: counted once, so the test spends its time streaming, not counting.
            Files.writeString(repo.resolve("part" + i + ".txt"), block, StandardCharsets.UTF_8);
        }
    }

    private static Process pack(List<String> args, Path stdout) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                HEAP, "-cp", System.getProperty("java.class.path"), Cli.class.getName(), "pack", repo.toString()));
        command.addAll(args);
        return new ProcessBuilder(command).redirectOutput(stdout.toFile())
                .redirectError(temp.resolve("stderr-" + stdout.getFileName()).toFile()).start();
    }

    private static void finish(Process process, Path stdout) throws Exception {
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("pack finished").isTrue();
        String stderr = Files.readString(temp.resolve("stderr-" + stdout.getFileName()));
        assertThat(process.exitValue()).as(stderr).isZero();
        assertThat(stderr).doesNotContain("OutOfMemoryError");
    }

    @Test
    void aRepositoryLargerThanTheHeapPacksIntoAFile() throws Exception {
        Path out = temp.resolve("pack.xml");
        Path stats = temp.resolve("stats.json");

        Process process = pack(List.of("--out", out.toString(), "--stats=json", "--cache-dir",
                temp.resolve("cache").toString()), stats);
        finish(process, stats);

        long packed = Files.size(out);
        assertThat(packed).as("bytes packed").isGreaterThan(2L * 96 * 1024 * 1024);
        assertThat(Files.readString(stats)).contains("\"files\" : " + FILES, "\"bytes\" : " + packed);
    }

    @Test
    void aRepositoryLargerThanTheHeapStreamsToStandardOutput() throws Exception {
        Path out = temp.resolve("stdout.xml");

        Process process = pack(List.of("--cache-dir", temp.resolve("cache-stdout").toString()), out);
        finish(process, out);

        assertThat(Files.size(out)).as("bytes packed").isGreaterThan(2L * 96 * 1024 * 1024);
        String stderr = Files.readString(temp.resolve("stderr-" + out.getFileName()));
        assertThat(stderr).contains(String.format("%,d files", FILES));
    }
}
