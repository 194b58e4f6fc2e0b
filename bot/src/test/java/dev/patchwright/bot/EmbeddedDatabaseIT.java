package dev.patchwright.bot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The laptop install's own PostgreSQL: durable (fsync and synchronous commits on), and one restart always works,
 * whether a killed bot left its server running or left a {@code postmaster.pid} naming some other process.
 */
class EmbeddedDatabaseIT {

    @TempDir
    Path home;

    @Test
    void writesDurablyAndARestartStopsTheServerAKilledBotLeftRunning() throws Exception {
        Path log = home.resolve("killed-bot.log");
        Process bot = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), KilledBot.class.getName(), home.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.currentTimeMillis() + 180_000;
            while (!Files.readString(log).contains("READY")) {
                assertThat(bot.isAlive()).as("the first bot, see %s", log).isTrue();
                assertThat(System.currentTimeMillis()).as("the first bot's start").isLessThan(deadline);
                Thread.sleep(200);
            }
        } finally {
            bot.destroyForcibly(); // kill -9: no shutdown hook stops its PostgreSQL
            bot.waitFor(10, TimeUnit.SECONDS);
        }
        long orphanPid = postmasterPid();
        assertThat(ProcessHandle.of(orphanPid).filter(ProcessHandle::isAlive)).as("the left-over server").isPresent();

        try (EmbeddedDatabase restarted = EmbeddedDatabase.start(home)) {
            assertThat(ProcessHandle.of(orphanPid).filter(ProcessHandle::isAlive)).as("the left-over server").isEmpty();
            assertThat(setting(restarted, "fsync")).isEqualTo("on");
            assertThat(setting(restarted, "synchronous_commit")).isEqualTo("on");
        }
    }

    /** A bot that starts its database and waits to be killed. */
    public static final class KilledBot {
        public static void main(String[] args) throws Exception {
            EmbeddedDatabase.start(Path.of(args[0]));
            System.out.println("READY");
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    @Test
    void aStalePidFileNamingAnotherProcessDoesNotStopTheStart() throws Exception {
        try (EmbeddedDatabase first = EmbeddedDatabase.start(home)) {
            assertThat(setting(first, "fsync")).isEqualTo("on");
        }
        Process other = new ProcessBuilder("sleep", "120").start(); // a live process that reuses the number
        try {
            Files.writeString(home.resolve("postgres").resolve("postmaster.pid"), other.pid() + "\n"
                    + home.resolve("postgres") + "\n1700000000\n5432\n/tmp\nlocalhost\n  5432001  0\nready   \n",
                    StandardCharsets.UTF_8);
            try (EmbeddedDatabase second = EmbeddedDatabase.start(home)) {
                assertThat(setting(second, "synchronous_commit")).isEqualTo("on");
            }
            assertThat(other.isAlive()).as("the unrelated process is left alone").isTrue();
        } finally {
            other.destroy();
            other.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private long postmasterPid() throws Exception {
        return Long.parseLong(Files.readAllLines(home.resolve("postgres").resolve("postmaster.pid")).get(0).strip());
    }

    private static String setting(EmbeddedDatabase database, String name) throws Exception {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), "postgres", database.password());
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("show " + name)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
