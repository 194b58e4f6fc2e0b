package dev.patchwright.worker.queue;

import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;

/**
 * Wakes this node's idle workers when any node changes what can be claimed: the queue sends a PostgreSQL
 * {@code NOTIFY} on {@link #CHANNEL} in the same transaction as the change (a job queued, finished, handed back or
 * reaped), so the notice arrives only once the change is visible. One connection per node holds the {@code LISTEN};
 * when it drops (the database restarted, the connection was terminated) {@link #listening()} turns false, so
 * workers poll, and the listener reconnects after {@code reconnectDelay}, waking the workers once it is back in
 * case a notice was missed meanwhile.
 */
public final class JobWakeups implements AutoCloseable {

    /** The channel the queue notifies on. */
    public static final String CHANNEL = "patchwright_jobs";

    private static final Logger LOG = Logger.getLogger(JobWakeups.class);
    /** How long one wait for notices blocks before the listener checks whether it should stop. */
    private static final int WAIT_MILLIS = 500;

    private final DataSource dataSource;
    private final Runnable onWake;
    private final long reconnectDelayMillis;
    private final Thread thread;
    private volatile boolean running;
    private volatile boolean listening;
    private volatile Connection connection;

    /**
     * @param dataSource     the queue's database; one of its connections is held for as long as this listens
     * @param onWake         what wakes the workers; called on the listener's thread, so it must not block
     * @param reconnectDelay how long to wait before listening again after the connection dropped
     */
    public JobWakeups(DataSource dataSource, Runnable onWake, Duration reconnectDelay) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.onWake = Objects.requireNonNull(onWake, "onWake");
        this.reconnectDelayMillis = Math.max(1, reconnectDelay.toMillis());
        this.thread = new Thread(this::listen, "patchwright-wakeups");
        this.thread.setDaemon(true);
    }

    /** Starts listening; returns at once. */
    public void start() {
        running = true;
        thread.start();
    }

    /** Whether notices arrive now; while false, workers must poll. */
    public boolean listening() {
        return listening;
    }

    /** Stops listening and gives the connection back. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2 * WAIT_MILLIS + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void listen() {
        while (running) {
            try (Connection held = dataSource.getConnection()) {
                connection = held;
                held.setAutoCommit(true);
                try (Statement statement = held.createStatement()) {
                    statement.execute("listen " + CHANNEL);
                }
                PGConnection postgres = held.unwrap(PGConnection.class);
                listening = true;
                LOG.debugf("Listening for new jobs on %s", CHANNEL);
                onWake.run(); // whatever was queued while nobody listened
                while (running) {
                    PGNotification[] notices = postgres.getNotifications(WAIT_MILLIS);
                    if (notices != null && notices.length > 0) {
                        onWake.run();
                    }
                }
                try (Statement statement = held.createStatement()) {
                    statement.execute("unlisten " + CHANNEL);
                }
            } catch (SQLException | RuntimeException e) {
                listening = false;
                discard();
                if (!running) {
                    return;
                }
                LOG.warnf("Not listening for new jobs (%s); workers poll until the connection is back",
                        e.getMessage());
                onWake.run(); // let waiting workers switch to polling now
                try {
                    Thread.sleep(reconnectDelayMillis);
                } catch (InterruptedException interrupted) {
                    return;
                }
            } finally {
                listening = false;
                connection = null;
            }
        }
    }

    /** A broken connection must not go back to a pool for someone else to trip over. */
    private void discard() {
        Connection broken = connection;
        if (broken != null) {
            try {
                broken.abort(Runnable::run);
            } catch (SQLException | RuntimeException ignored) {
                // it is gone either way
            }
        }
    }
}
