package dev.patchwright.bot.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher's check of system packages ({@code scripts/prerequisites.sh}, run by {@code ./patchwright serve} and
 * {@code solve} before anything else), on a machine without bubblewrap, as a user who may not install packages: one
 * line naming what is missing and the one command to run, and a non-zero exit at once.
 */
class PrerequisitesScriptTest {

    private static final Path SCRIPT = Path.of("..", "scripts", "prerequisites.sh");

    @TempDir
    Path temp;

    @Test
    void aUserWhoMayNotInstallIsGivenTheOneCommandToRun() throws Exception {
        Path bin = tools("apt-get");
        Result result = run(bin, "sandbox");

        assertThat(result.exit).isEqualTo(1);
        assertThat(result.output.strip()).isEqualTo("patchwright: missing bubblewrap (the sandbox), setpriv (util-linux);"
                + " run: sudo apt-get install -y bubblewrap util-linux");
    }

    @Test
    void withoutAPackageManagerItNamesThePackages() throws Exception {
        Result result = run(tools(), "sandbox");

        assertThat(result.exit).isEqualTo(1);
        assertThat(result.output).contains("missing bubblewrap (the sandbox)").contains("bubblewrap util-linux")
                .doesNotContain("sudo");
    }

    @Test
    void anUnknownNeedIsNamed() throws Exception {
        Result result = run(tools(), "gpu");

        assertThat(result.exit).isEqualTo(2);
        assertThat(result.output).contains("unknown need 'gpu'");
    }

    /** A PATH holding only what the script needs besides the packages it checks, plus {@code extra}. */
    private Path tools(String... extra) throws Exception {
        Path bin = Files.createDirectory(temp.resolve("bin" + extra.length));
        List<String> tools = new ArrayList<>(List.of("bash", "id", "sed"));
        tools.addAll(List.of(extra));
        for (String tool : tools) {
            Path real = List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin").stream().map(dir -> Path.of(dir, tool))
                    .filter(Files::isExecutable).findFirst().orElseThrow(() -> new AssertionError("no " + tool + " here"));
            Files.createSymbolicLink(bin.resolve(tool), real);
        }
        return bin;
    }

    /** Runs a copy of the script with only {@code bin} on the PATH, as an unprivileged user. */
    private Result run(Path bin, String need) throws Exception {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path script = temp.resolve("prerequisites.sh");
        Files.copy(SCRIPT, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> command = new ArrayList<>();
        if ("0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).strip())) {
            // As root the script would install; the user who may not is nobody.
            command.addAll(List.of("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"));
        }
        command.addAll(List.of("/usr/bin/env", "-i", "PATH=" + bin, "bash", script.toString(), need));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private record Result(int exit, String output) {
    }
}
