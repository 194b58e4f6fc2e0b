package dev.patchwright.bot.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resident packers for a test, in real JVMs: clients started as the launcher starts them, all under
 * one {@code PATCHWRIGHT_HOME} of the test's own, and every server under it killed at the end so no
 * JVM outlives the build.
 */
final class ResidentPackers {

    static final String STARTING = "patchwright: starting a resident packer (later packs reuse it; "
            + "PATCHWRIGHT_PACK_SERVER=off to run without)\n";

    private static final Pattern PID = Pattern.compile("pid (\\d+)");

    final Path home;
    final Map<String, String> environment = new HashMap<>();
    private final Path streams;
    private int runs;

    ResidentPackers(Path temp) throws IOException {
        this.home = Files.createDirectories(temp.resolve("patchwright-home"));
        this.streams = Files.createDirectories(temp.resolve("client-streams"));
        environment.put("PATCHWRIGHT_HOME", home.toString());
        environment.put("PATCHWRIGHT_PACK_SERVER_IDLE", "120");
    }

    /** What a client printed and how it ended. */
    record Run(int exit, String stdout, String stderr) {
    }

    /** The application jar the clients name as the launcher does (its time is in the server's key), or null. */
    Path app;

    /** Starts {@code PackClient <args>} in {@code cwd}; its streams go to files read by {@link #finish}. */
    Process start(Path cwd, String... args) throws IOException {
        List<String> jvm = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dpatchwright.pack.server.jvm=-Xmx256m -XX:+UseParallelGC"));
        if (app != null) {
            jvm.add("-Dpatchwright.app=" + app);
        }
        jvm.add("dev.patchwright.bot.cli.resident.PackClient");
        return start(cwd, jvm, args);
    }

    /** The command line run in a JVM of its own, in {@code cwd}, with the clients' environment. */
    Run inProcess(Path cwd, String... args) throws Exception {
        return finish(start(cwd, List.of(Cli.class.getName()), args));
    }

    private Process start(Path cwd, List<String> jvm, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        command.addAll(jvm);
        command.addAll(List.of(args));
        int run = runs++;
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectOutput(streams.resolve(run + ".out").toFile()).redirectError(streams.resolve(run + ".err").toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        started.put(process, run);
        return process;
    }

    private final Map<Process, Integer> started = new HashMap<>();

    Run finish(Process process) throws Exception {
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("a pack client did not finish in 2 minutes");
        }
        int run = started.get(process);
        return new Run(process.exitValue(), Files.readString(streams.resolve(run + ".out"), StandardCharsets.UTF_8),
                Files.readString(streams.resolve(run + ".err"), StandardCharsets.UTF_8));
    }

    Run run(Path cwd, String... args) throws Exception {
        return finish(start(cwd, args));
    }

    Run pack(Path cwd, String... args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = "pack";
        System.arraycopy(args, 0, all, 1, args.length);
        return run(cwd, all);
    }

    /** The pid {@code pack-server status} reports, or -1 when none runs. */
    long serverPid() throws Exception {
        Run status = run(home, "pack-server", "status");
        Matcher m = PID.matcher(status.stdout());
        return status.exit() == 0 && m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    Path runDirectory() {
        return home.resolve("run");
    }

    String log() throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(runDirectory())) {
            for (Path log : files.filter(p -> p.toString().endsWith(".log")).toList()) {
                all.append(Files.readString(log));
            }
        }
        return all.toString();
    }

    /** Stops the server the polite way, then kills whatever JVM still names this home. */
    void close() throws Exception {
        try {
            if (Files.isDirectory(runDirectory())) {
                run(home, "pack-server", "stop");
            }
        } finally {
            killServers();
        }
    }

    /** The servers still running under this home. */
    List<ProcessHandle> servers() {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains("PackServer") && c.contains(home.toString())).orElse(false)).toList();
    }

    private void killServers() throws Exception {
        for (ProcessHandle process : ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains("PackServer") && c.contains(home.toString())).orElse(false)).toList()) {
            process.destroyForcibly();
            process.onExit().get(10, TimeUnit.SECONDS);
        }
    }

    /** Statistics with the timings taken out, which no two runs share. */
    static String untimed(String text) {
        return text.replaceAll("\"(seconds|tokensPerSecond)\" : [0-9.E]+", "\"$1\" : _")
                .replaceAll("(?m)^time  .*$", "time _");
    }
}
