package dev.patchwright.bot.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The deployment files of the repository (Dockerfile, compose, k8s/) and the tools that check them. */
final class DeployFiles {

    /** What a command printed (stdout and stderr together) and how it exited. */
    record Run(int exitCode, String output) {
    }

    private DeployFiles() {
    }

    /** The repository root: the nearest folder above the working directory that holds mvnw. */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no folder holding mvnw above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /**
     * Runs a command to its end in {@code dir}, with {@code env} added to this JVM's environment.
     *
     * @throws IllegalStateException when the program is not installed, naming how to install it
     */
    static Run run(Path dir, Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException(command.get(0) + " is needed to check the deployment files and could not"
                    + " be started (" + e.getMessage() + "); .ci/run installs it (apt-get install -y npm docker-compose"
                    + " python3)", e);
        }
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish in 2 minutes");
        }
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
