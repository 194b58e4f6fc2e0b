package dev.patchwright.bot;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The PostgreSQL server a laptop install runs for itself, with its data under {@code home/postgres}.
 *
 * <p>The embedded binaries start with {@code trust} authentication on localhost. A repository's setup
 * step may run with network in the host's network namespace, so it could reach that port: the server
 * is therefore switched to password authentication with a random password kept in a file only the
 * bot's user can read.
 *
 * <p>The library unpacks its PostgreSQL binaries under {@code java.io.tmpdir} by default, in a
 * directory it makes writable by everyone, and the bot then runs them: any local user could plant a
 * {@code postgres} of their own. They are unpacked under {@code home/postgres-binaries} instead, a
 * directory only the bot's user can enter.
 *
 * <p>Answered webhook deliveries and paid ledger entries must survive a power loss, so the server runs with
 * {@code fsync} and {@code synchronous_commit} on (the library turns both off by default). A server left running by
 * a bot that was killed ({@code kill -9} skips the shutdown hook) still holds the data directory: the next start
 * stops it first, and removes a {@code postmaster.pid} whose process is gone or is not a PostgreSQL of this data
 * directory, so one restart always works.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    /** How long a left-over server gets for a fast shutdown before it is killed. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final String WORKING_DIR_PROPERTY = "ot.epg.working-dir";

    private final EmbeddedPostgres postgres;
    private final String password;

    private EmbeddedDatabase(EmbeddedPostgres postgres, String password) {
        this.postgres = postgres;
        this.password = password;
    }

    static EmbeddedDatabase start(Path home) throws IOException {
        return start(home, home.resolve("postgres"));
    }

    /**
     * A server with its data in {@code dataDir} and its password in the file beside it ({@code dataDir.password}),
     * its binaries unpacked under {@code home}: for a database of a tool's own, like a backtest's ledger.
     */
    public static EmbeddedDatabase start(Path home, Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        String password = password(dataDir.resolveSibling(dataDir.getFileName() + ".password"));
        Path binaries = binariesDirectory(home);
        stopLeftOver(dataDir);
        EmbeddedPostgres postgres = builder(binaries)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setOverrideWorkingDirectory(binaries.toFile())
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(true)
                .setConnectConfig("password", password)
                .start();
        // The library made it writable by everyone (behind its parent, which only we can enter).
        Files.setPosixFilePermissions(binaries, OWNER_ONLY);
        requirePassword(postgres, dataDir, password);
        return new EmbeddedDatabase(postgres, password);
    }

    /**
     * {@code home/postgres-binaries/unpacked}: the parent mode 700 and ours, so no other user can
     * reach what the library unpacks there, even while it leaves the directory itself open to all.
     *
     * @throws IOException when the parent belongs to another user or is a link, naming it
     */
    static Path binariesDirectory(Path home) throws IOException {
        Path parent = home.resolve("postgres-binaries");
        Files.createDirectories(parent);
        Object owner = Files.getAttribute(parent, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Object self = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (Files.isSymbolicLink(parent) || !owner.equals(self)) {
            throw new IOException(parent + " is a link or belongs to uid " + owner + ", not to this process (uid "
                    + self + "); remove it so that the embedded PostgreSQL's binaries are unpacked where only"
                    + " this user can write");
        }
        Files.setPosixFilePermissions(parent, OWNER_ONLY);
        Path unpacked = parent.resolve("unpacked");
        Files.createDirectories(unpacked);
        Files.setPosixFilePermissions(unpacked, OWNER_ONLY);
        return unpacked;
    }

    /**
     * A builder whose "parent directory" (where the library looks for stale data directories to stop
     * and delete, as this user) is {@code binaries} too: it is read from a system property when the
     * builder is made, and that property is put back as it was right after.
     */
    private static EmbeddedPostgres.Builder builder(Path binaries) {
        String previous = System.getProperty(WORKING_DIR_PROPERTY);
        System.setProperty(WORKING_DIR_PROPERTY, binaries.toString());
        try {
            return EmbeddedPostgres.builder();
        } finally {
            if (previous == null) {
                System.clearProperty(WORKING_DIR_PROPERTY);
            } else {
                System.setProperty(WORKING_DIR_PROPERTY, previous);
            }
        }
    }

    /**
     * Stops the server that {@code dataDir/postmaster.pid} names when it is a PostgreSQL of this data directory run
     * by this user (what a killed bot leaves behind); removes the file when its process is gone or is something
     * else (its number reused).
     *
     * @throws IOException when that server belongs to another user, or will not stop
     */
    static void stopLeftOver(Path dataDir) throws IOException {
        Path lock = dataDir.resolve("postmaster.pid");
        if (!Files.exists(lock)) {
            return;
        }
        List<String> lines = Files.readAllLines(lock, StandardCharsets.UTF_8);
        long pid;
        try {
            pid = Long.parseLong(lines.isEmpty() ? "" : lines.get(0).strip());
        } catch (NumberFormatException e) {
            LOG.warnf("Removing %s: it names no process", lock);
            Files.deleteIfExists(lock);
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty() || !servesDirectory(pid, dataDir)) {
            LOG.warnf("Removing the stale %s: process %d is %s", lock, pid, process.isEmpty() ? "gone"
                    : "not a PostgreSQL of this data directory");
            Files.deleteIfExists(lock);
            return;
        }
        String owner = process.get().info().user().orElse("?");
        String self = System.getProperty("user.name");
        if (!owner.equals(self)) {
            throw new IOException("the PostgreSQL of " + dataDir + " (pid " + pid + ") runs as " + owner + ", not as "
                    + self + "; stop it, then start again");
        }
        LOG.warnf("Stopping the embedded PostgreSQL (pid %d) that an earlier run left behind", pid);
        signal("INT", pid); // a fast shutdown: its clients died with the bot that started it
        if (!awaitExit(process.get(), STOP_WAIT)) {
            LOG.warnf("PostgreSQL pid %d did not stop within %s; killing it", pid, STOP_WAIT);
            signal("KILL", pid);
            if (!awaitExit(process.get(), Duration.ofSeconds(10))) {
                throw new IOException("the PostgreSQL left running on " + dataDir + " (pid " + pid
                        + ") does not stop; end it, then start again");
            }
        }
        Files.deleteIfExists(lock); // a killed server leaves it behind
    }

    /**
     * Whether process {@code pid} is a PostgreSQL server on {@code dataDir} (a server works in its data directory);
     * one whose directory cannot be read (another user's) counts, so that the owner check names it.
     */
    private static boolean servesDirectory(long pid, Path dataDir) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            String command = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
            String program = command.split("\u0000", 2)[0];
            if (!program.endsWith("postgres")) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        try {
            return Files.isSameFile(proc.resolve("cwd").toRealPath(), dataDir);
        } catch (IOException e) {
            return true;
        }
    }

    private static void signal(String name, long pid) throws IOException {
        try {
            new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping PostgreSQL pid " + pid, e);
        }
    }

    private static boolean awaitExit(ProcessHandle process, Duration wait) {
        try {
            process.onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** Stops the server. */
    @Override
    public void close() throws IOException {
        postgres.close();
    }

    public String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    public String password() {
        return password;
    }

    int port() {
        return postgres.getPort();
    }

    private static void requirePassword(EmbeddedPostgres postgres, Path dataDir, String password) throws IOException {
        Path hba = dataDir.resolve("pg_hba.conf");
        String rules = Files.readString(hba, StandardCharsets.UTF_8);
        String strict = rules.replaceAll("(?m)^(\\s*(?:local|host)\\S*\\s.*\\s)trust\\s*$", "$1scram-sha-256");
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            // The password is hex, so it cannot break out of the literal.
            statement.execute("ALTER ROLE postgres PASSWORD '" + password + "'");
            if (!strict.equals(rules)) {
                Files.writeString(hba, strict, StandardCharsets.UTF_8);
                statement.execute("SELECT pg_reload_conf()");
            }
        } catch (SQLException e) {
            throw new IOException("could not require a password on the embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    private static String password(Path file) throws IOException {
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        Files.writeString(file, password, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return password;
    }
}
