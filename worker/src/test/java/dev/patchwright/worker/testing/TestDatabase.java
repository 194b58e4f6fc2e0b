package dev.patchwright.worker.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real PostgreSQL for integration tests: one embedded server per JVM (the zonky binaries),
 * and a new database for every caller, so tests never see each other's rows.
 *
 * <p>{@link #migrated()} clones a template database that the project's Flyway migrations
 * ({@code classpath:db/migration}, from the migrations jar) were applied to once per JVM,
 * which costs a few milliseconds instead of a full migration per test.
 * {@link #empty()} gives a database with nothing in it, for tests of the migrations themselves.
 */
public final class TestDatabase {

    private static final String TEMPLATE = "patchwright_template";
    private static final AtomicInteger NEXT = new AtomicInteger();

    private static EmbeddedPostgres server;
    private static boolean templateReady;

    private TestDatabase() {
    }

    /** A new database with every migration applied. */
    public static synchronized DataSource migrated() {
        if (!templateReady) {
            createDatabase(TEMPLATE, null);
            migrate(server().getDatabase("postgres", TEMPLATE));
            templateReady = true;
        }
        String name = nextName();
        createDatabase(name, TEMPLATE);
        return server().getDatabase("postgres", name);
    }

    /**
     * Another data source for the database behind {@code dataSource}, with connections of its own: what a second
     * node sharing the database would have.
     */
    public static synchronized DataSource sameDatabase(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return server().getDatabase("postgres", connection.getCatalog());
        } catch (SQLException e) {
            throw new IllegalStateException("could not name the database of " + dataSource, e);
        }
    }

    /** A new, empty database (no migrations applied). */
    public static synchronized DataSource empty() {
        String name = nextName();
        createDatabase(name, null);
        return server().getDatabase("postgres", name);
    }

    /** Flyway configured as the application configures it: {@code classpath:db/migration}. */
    public static Flyway flyway(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load();
    }

    /** Applies every pending migration to {@code dataSource}. */
    public static void migrate(DataSource dataSource) {
        flyway(dataSource).migrate();
    }

    private static String nextName() {
        return "test_" + ProcessHandle.current().pid() + "_" + NEXT.incrementAndGet();
    }

    private static void createDatabase(String name, String template) {
        String sql = "create database " + name + (template == null ? "" : " template " + template);
        try (Connection connection = server().getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database " + name, e);
        }
    }

    private static EmbeddedPostgres server() {
        if (server == null) {
            try {
                EmbeddedPostgres started = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        started.close();
                    } catch (IOException e) {
                        // The JVM is exiting; the server's temporary folder goes with it.
                    }
                }, "embedded-postgres-stop"));
                server = started;
            } catch (IOException e) {
                throw new UncheckedIOException("could not start embedded PostgreSQL", e);
            }
        }
        return server;
    }
}
