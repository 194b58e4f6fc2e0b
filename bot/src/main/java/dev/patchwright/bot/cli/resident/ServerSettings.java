package dev.patchwright.bot.cli.resident;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a client needs to find or start its server: the run directory, the key that names the server,
 * and the command that starts one. Read from the environment ({@code PATCHWRIGHT_HOME},
 * {@code PATCHWRIGHT_PACK_SERVER_IDLE}) and from the system properties the launcher sets (see
 * {@link PackClient}).
 *
 * @param run         the run directory under {@code PATCHWRIGHT_HOME}
 * @param home        {@code PATCHWRIGHT_HOME}, absolute
 * @param key         the server's name: a digest of the build, Java, user and settings
 * @param classpath   the server's class path
 * @param jvmOptions  the server's JVM options
 * @param idleSeconds how long the server waits for a next command before it exits
 */
record ServerSettings(RunDirectory run, Path home, String key, String classpath, List<String> jvmOptions,
                      long idleSeconds) {

    /** The server's JVM options when the launcher gives none: pack streams, so a small heap holds any repository. */
    static final String DEFAULT_JVM = "-Xmx256m -XX:+UseParallelGC";
    static final long DEFAULT_IDLE_SECONDS = 900;
    /** The longest path a Unix socket can have on Linux: sun_path's 108 bytes less the closing NUL. */
    static final int MAX_SOCKET_PATH = 107;

    /**
     * The settings of this process.
     *
     * @throws IOException              when the run directory cannot be used
     * @throws IllegalArgumentException when {@code PATCHWRIGHT_PACK_SERVER_IDLE} is not a number of seconds
     */
    static ServerSettings fromEnvironment() throws IOException {
        String rawHome = System.getenv("PATCHWRIGHT_HOME");
        Path home = (rawHome == null || rawHome.isEmpty() ? Path.of(System.getProperty("user.home"), ".patchwright")
                : Path.of(rawHome)).toAbsolutePath().normalize();
        String classpath = System.getProperty("patchwright.pack.server.classpath", System.getProperty("java.class.path"));
        String jvm = System.getProperty("patchwright.pack.server.jvm", DEFAULT_JVM).trim();
        String app = System.getProperty("patchwright.app", "");
        String appStamp = app.isEmpty() || !Files.exists(Path.of(app)) ? ""
                : String.valueOf(Files.getLastModifiedTime(Path.of(app)).toMillis());
        // The raw PATCHWRIGHT_HOME goes in too: picocli prints it in pack's --help as the cache's default.
        String key = RunDirectory.key(app, appStamp, classpath, jvm, System.getProperty("java.home"),
                System.getProperty("user.name"), rawHome == null ? "\u0000unset" : rawHome);
        List<String> options = new ArrayList<>();
        // An OutOfMemoryError would leave a server that half works: it exits instead, and the next pack
        // starts another. The user's own options come after, so they can say otherwise.
        options.add("-XX:+ExitOnOutOfMemoryError");
        if (!app.isEmpty()) {
            options.add("-Dpatchwright.app=".concat(app)); // a rebuild retires the server (see PackServer)
        }
        if (!jvm.isEmpty()) {
            options.addAll(Arrays.asList(jvm.split("\\s+")));
        }
        ServerSettings settings = new ServerSettings(RunDirectory.open(home), home, key, classpath, List.copyOf(options),
                idle());
        int length = settings.socket().toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_SOCKET_PATH) {
            throw new IOException("the resident packer's socket " + settings.socket() + " would be " + length
                    + " bytes long, and Unix sockets allow " + MAX_SOCKET_PATH + "; a shorter PATCHWRIGHT_HOME lets it run");
        }
        return settings;
    }

    private static long idle() {
        String value = System.getenv("PATCHWRIGHT_PACK_SERVER_IDLE");
        if (value == null || value.isBlank()) {
            return DEFAULT_IDLE_SECONDS;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            if (seconds > 0) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // Said below.
        }
        throw new IllegalArgumentException("PATCHWRIGHT_PACK_SERVER_IDLE must be a whole number of seconds above 0, not '"
                + value + "'");
    }

    Path socket() {
        return run.socket(key);
    }

    Path log() {
        return run.log(key);
    }

    /**
     * The command that starts a server: in a session of its own where {@code setsid} exists, so the
     * terminal's signals for the client's process group never reach it.
     */
    List<String> serverCommand() {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, "dev.patchwright.bot.cli.resident.PackServer", home.toString(), key,
                String.valueOf(idleSeconds)));
        return command;
    }
}
