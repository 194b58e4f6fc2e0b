package dev.patchwright.worker.queue;

import dev.patchwright.worker.testing.TestDatabase;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backlog of received deliveries drains at the handlers' speed, and a delivery left processing by a node that
 * died (its claim no longer renewed) is taken over at the next sweep, while one still being renewed is left alone.
 */
class DeliverySweepIT {

    private static final Duration STALE = Duration.ofSeconds(15);

    private DataSource dataSource;
    private DeliveryInbox inbox;
    private ExecutorService handlers;

    private AgroalDataSource pool;

    @BeforeEach
    void setUp() throws Exception {
        DataSource database = TestDatabase.migrated();
        String url;
        try (Connection connection = database.getConnection()) {
            url = connection.getMetaData().getURL();
        }
        // Pooled connections, as the bot has (Agroal, through Quarkus): each transaction opening a connection of its
        // own would measure PostgreSQL's backend start-up, not the sweep.
        pool = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(connections -> connections.maxSize(8)
                        .connectionFactoryConfiguration(factory -> factory.jdbcUrl(url)
                                .principal(new NamePrincipal("postgres")))));
        dataSource = pool;
        inbox = new DeliveryInbox(dataSource);
        handlers = Executors.newFixedThreadPool(2); // as many as a bot node's delivery threads
    }

    @AfterEach
    void tearDown() {
        handlers.shutdownNow();
        pool.close();
    }

    @Test
    void aBacklogOfTwoThousandDeliveriesDrainsInOneSweep() throws Exception {
        execute("insert into webhook_deliveries (delivery_id, event, action, installation_id, repository, payload)"
                + " select 'backlog-' || n, 'issues', 'opened', 1, 'o/r', '{}'::jsonb from generate_series(1, 2000) n");

        long started = System.nanoTime();
        int taken = new DeliverySweep(inbox, STALE, 200).drain(handlers, this::handle);
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertThat(taken).isEqualTo(2000);
        assertThat(count("select count(*) from webhook_deliveries where status = 'ignored'")).isEqualTo(2000);
        // The old sweep took 50 per 30 s: 20 minutes for this backlog.
        assertThat(millis).as("drain time of 2,000 deliveries, ms").isLessThan(20_000);
        System.out.printf("DeliverySweepIT: 2000 deliveries drained in %d ms (%.0f/s)%n", millis, 2000_000.0 / millis);
    }

    @Test
    void aClaimLeftByADeadNodeIsTakenOverWithinSecondsAndALiveOneIsNot() throws Exception {
        inbox.record("d-dead", "issues", "labeled", 1L, "o/r", "{}");
        inbox.record("d-alive", "issues", "labeled", 1L, "o/r", "{}");
        inbox.claim("d-dead").orElseThrow();
        inbox.claim("d-alive").orElseThrow();
        execute("update webhook_deliveries set claimed_at = now() - interval '20 seconds'"); // both claimed 20 s ago
        assertThat(inbox.renew("d-alive")).as("the live node renews its claim").isTrue();

        List<String> handled = new CopyOnWriteArrayList<>();
        int taken = new DeliverySweep(inbox, STALE, 200).drain(handlers, id -> {
            boolean took = handle(id);
            if (took) {
                handled.add(id);
            }
            return took;
        });

        assertThat(taken).isEqualTo(1);
        assertThat(handled).containsExactly("d-dead");
        assertThat(inbox.find("d-dead").orElseThrow().attempts()).isEqualTo(2);
        assertThat(inbox.find("d-alive").orElseThrow().status()).isEqualTo("processing");
        assertThat(inbox.renew("d-dead")).as("ended: nothing to renew").isFalse();
    }

    /** What a node's handler does with a delivery it has nothing to do for. */
    private boolean handle(String id) {
        if (inbox.claim(id, STALE).isEmpty()) {
            return false;
        }
        inbox.ignored(id, "nothing to do");
        return true;
    }

    private void execute(String sql) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private long count(String sql) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
