package dev.patchwright.bot.deploy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * k8s/readonly-role.sql, run on the migrated schema as the README says: the role KEDA uses can run the
 * ScaledObject's query and nothing more.
 */
class ReadonlyRoleIT {

    private static final String KEDA_QUERY = "select count(*) from jobs where status in ('queued','running')";

    private static EmbeddedPostgres server;

    @BeforeAll
    static void migrateAndCreateTheRole() throws Exception {
        server = EmbeddedPostgres.builder().start();
        try (Connection admin = server.getPostgresDatabase().getConnection(); Statement statement = admin.createStatement()) {
            statement.execute("create database patchwright");
        }
        Flyway.configure().dataSource(server.getDatabase("postgres", "patchwright"))
                .locations("classpath:db/migration").load().migrate();
        String script = Files.readString(DeployFiles.root().resolve("k8s/readonly-role.sql"));
        try (Connection owner = server.getDatabase("postgres", "patchwright").getConnection();
             Statement statement = owner.createStatement()) {
            statement.execute(script);
            // What `\password patchwright_keda` does, with a password for this test only.
            statement.execute("alter role patchwright_keda password 'test-only'");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void countsQueuedAndRunningJobs() throws Exception {
        try (Connection keda = connectAsKeda(); Statement statement = keda.createStatement();
             ResultSet count = statement.executeQuery(KEDA_QUERY)) {
            assertThat(count.next()).isTrue();
            assertThat(count.getLong(1)).isZero();
        }
    }

    @Test
    void readsNothingElseAndWritesNothing() throws Exception {
        try (Connection keda = connectAsKeda(); Statement statement = keda.createStatement()) {
            assertThatThrownBy(() -> statement.executeQuery("select * from jobs"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> statement.executeQuery("select count(*) from webhook_deliveries"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> statement.executeUpdate("update jobs set status = 'cancelled'"))
                    .isInstanceOf(SQLException.class).hasMessageMatching("(?s).*(read-only transaction|permission denied).*");
            assertThatThrownBy(() -> statement.execute("create table keda_was_here (id int)"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("read-only transaction");
        }
    }

    private static Connection connectAsKeda() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.getPort() + "/patchwright",
                "patchwright_keda", "test-only");
    }
}
