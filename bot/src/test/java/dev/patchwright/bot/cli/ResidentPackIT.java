package dev.patchwright.bot.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code patchwright pack} served by the resident packer: the same answers as in-process, from a warm JVM. */
class ResidentPackIT {

    @TempDir
    Path temp;

    private ResidentPackers packers;

    @BeforeEach
    void home() throws Exception {
        packers = new ResidentPackers(temp);
    }

    @AfterEach
    void stopServers() throws Exception {
        packers.close();
    }

    private Path repository() throws Exception {
        Path repo = temp.resolve("repo");
        Files.createDirectories(repo.resolve("src"));
        Files.writeString(repo.resolve("src/Calc.java"), "class Calc {\n    int add(int a, int b) { return a - b; }\n}\n");
        for (int i = 0; i < 8; i++) {
            Files.writeString(repo.resolve("src/Report" + i + ".java"), "class Report" + i + " {\n    long total() { return "
                    + i + "; }\n}\n");
        }
        Files.write(repo.resolve("logo.txt"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
        GitRepos.commitAll(repo, "Calculator");
        return repo;
    }

    @Test
    void packsAsTheCommandLineDoesAndServesTheNextPackFromTheSameServer() throws Exception {
        Path repo = repository();
        Path inProcessOut = temp.resolve("in-process.xml");
        Path residentOut = temp.resolve("resident.xml");
        for (int round = 0; round < 2; round++) {
            CliRun expected = CliRun.of("pack", repo.toString(), "--out", inProcessOut.toString(), "--stats=json",
                    "--cache-dir", temp.resolve("cache-in-process").toString());
            ResidentPackers.Run resident = packers.pack(temp, repo.toString(), "--out", residentOut.toString(),
                    "--stats=json", "--cache-dir", temp.resolve("cache-resident").toString());

            assertThat(resident.exit()).as(resident.stderr()).isEqualTo(expected.exit()).isZero();
            assertThat(ResidentPackers.untimed(resident.stdout())).isEqualTo(ResidentPackers.untimed(expected.stdout()))
                    .contains("\"cacheHits\" : " + (round == 0 ? 0 : 9));
            assertThat(resident.stderr()).isEqualTo((round == 0 ? ResidentPackers.STARTING : "") + expected.stderr());
            assertThat(Files.readAllBytes(residentOut)).isEqualTo(Files.readAllBytes(inProcessOut));
        }
        long pid = packers.serverPid();
        assertThat(pid).as("a server runs").isPositive().isNotEqualTo(ProcessHandle.current().pid());

        ResidentPackers.Run toStdout = packers.pack(temp, repo.toString(), "--cache-dir", temp.resolve("cache-resident").toString());
        CliRun expected = CliRun.of("pack", repo.toString(), "--cache-dir", temp.resolve("cache-in-process").toString());
        assertThat(toStdout.stdout()).isEqualTo(expected.stdout()).startsWith("<directory_tree>");
        assertThat(ResidentPackers.untimed(toStdout.stderr())).isEqualTo(ResidentPackers.untimed(expected.stderr()));
        assertThat(packers.serverPid()).as("the same server served every pack").isEqualTo(pid);
    }

    @Test
    void relativePathsMeanTheClientsDirectory() throws Exception {
        Path repo = repository();
        Path work = Files.createDirectories(temp.resolve("work"));
        Files.writeString(work.resolve("issue.md"), "# Calc.add subtracts\n");
        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));

        ResidentPackers.Run run = packers.pack(work, "../repo", "--out", "pack.md", "--format", "markdown", "--max-tokens",
                "400", "--task-file", "issue.md", "--cache-dir", "cache");
        CliRun expected = CliRun.of("pack", repo.toString(), "--out", elsewhere.resolve("pack.md").toString(), "--format",
                "markdown", "--max-tokens", "400", "--task-file", work.resolve("issue.md").toString(), "--cache-dir",
                elsewhere.resolve("cache").toString());

        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stdout()).startsWith("source        " + repo.toRealPath() + "\n");
        assertThat(ResidentPackers.untimed(run.stdout())).isEqualTo(ResidentPackers.untimed(expected.stdout()));
        assertThat(Files.readAllBytes(work.resolve("pack.md"))).isEqualTo(Files.readAllBytes(elsewhere.resolve("pack.md")));
        assertThat(work.resolve("cache")).isDirectory();
        assertThat(Path.of("pack.md")).as("nothing written in the server's or the test's directory").doesNotExist();
        assertThat(packers.runDirectory().resolve("pack.md")).doesNotExist();
    }

    @Test
    void refusesBadInputExactlyAsTheCommandLineDoes() throws Exception {
        Path repo = repository();
        List<List<String>> cases = List.of(List.of(repo.toString(), "--bogus"), List.of("nowhere"),
                List.of(repo.toString(), "--format", "html"), List.of(repo.toString(), "--stats=yaml"), List.of("--help"),
                List.of());
        packers.pack(temp, "--help"); // starts the server, so no answer below carries the starting line
        for (List<String> args : cases) {
            ResidentPackers.Run resident = packers.pack(temp, args.toArray(String[]::new));
            // In a JVM of its own with the client's environment: the cache's default in --help comes from it.
            ResidentPackers.Run expected = packers.inProcess(temp, Stream.concat(Stream.of("pack"), args.stream())
                    .toArray(String[]::new));

            assertThat(resident.exit()).as(args.toString()).isEqualTo(expected.exit());
            assertThat(resident.stdout()).as(args.toString()).isEqualTo(expected.stdout());
            assertThat(resident.stderr()).as(args.toString()).isEqualTo(expected.stderr());
        }
        assertThat(packers.pack(temp, repo.toString(), "--bogus").stderr()).contains("Unknown option: '--bogus'", "Usage:");
        assertThat(packers.pack(temp, "nowhere").exit()).isEqualTo(2);
        assertThat(packers.pack(temp, "nowhere").stderr()).isEqualTo("error: nowhere is not a directory\n");
    }

    @Test
    void servesTwoPacksAtOnce() throws Exception {
        Path repo = repository();
        packers.pack(temp, "--help");
        Process xml = packers.start(temp, "pack", "repo", "--out", "a.xml", "--cache-dir", "cache-a");
        Process markdown = packers.start(temp, "pack", "repo", "--out", "b.md", "--format", "markdown", "--cache-dir", "cache-b");
        ResidentPackers.Run first = packers.finish(xml);
        ResidentPackers.Run second = packers.finish(markdown);

        assertThat(first.exit()).as(first.stderr()).isZero();
        assertThat(second.exit()).as(second.stderr()).isZero();
        CliRun.of("pack", repo.toString(), "--out", temp.resolve("expected.xml").toString(), "--cache-dir",
                temp.resolve("cache-c").toString());
        CliRun.of("pack", repo.toString(), "--out", temp.resolve("expected.md").toString(), "--format", "markdown",
                "--cache-dir", temp.resolve("cache-d").toString());
        assertThat(Files.readAllBytes(temp.resolve("a.xml"))).isEqualTo(Files.readAllBytes(temp.resolve("expected.xml")));
        assertThat(Files.readAllBytes(temp.resolve("b.md"))).isEqualTo(Files.readAllBytes(temp.resolve("expected.md")));
    }
}
