package dev.patchwright.worker.queue;

import dev.patchwright.worker.db.Database;
import dev.patchwright.worker.db.QueueException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Durable intake of GitHub webhook deliveries ({@code webhook_deliveries}).
 *
 * <p>The webhook endpoint {@linkplain #record records} a delivery before it answers GitHub, so a
 * crash afterwards loses nothing; a handler then {@linkplain #claim claims} it and ends it as
 * {@linkplain #handled handled}, {@linkplain #ignored ignored}, {@linkplain #retryLater retried
 * later} or {@linkplain #failed failed}. A sweep finds the deliveries that are {@linkplain #due
 * due} again, including those a crashed node left in {@code processing}.
 *
 * <p>Every method is one short transaction; all times come from the database's clock.
 * Every method throws {@link QueueException} when the database fails.
 */
public final class DeliveryInbox {

    /** Claims after which {@link #retryLater} gives up and marks the delivery failed. */
    public static final int MAX_ATTEMPTS = 5;

    private static final String COLUMNS = "delivery_id, event, action, installation_id, repository, "
            + "payload::text as payload, status, attempts, outcome";

    private final Database database;

    /** An inbox over {@code dataSource}, which must hold the project's migrations. */
    public DeliveryInbox(DataSource dataSource) {
        this.database = new Database(dataSource);
    }

    /**
     * Stores a delivery as {@code received}, unless one with the same id exists already
     * (GitHub redelivers with the same id); then nothing changes.
     *
     * @return true when stored, false for a repeated delivery id
     * @throws IllegalArgumentException when {@code deliveryId} or {@code event} is blank, or
     *                                  {@code payloadJson} is not JSON
     */
    public boolean record(String deliveryId, String event, String action, Long installationId,
                          String repository, String payloadJson) {
        return recordAll(List.of(new NewDelivery(deliveryId, event, action, installationId, repository,
                payloadJson)))[0];
    }

    /**
     * Stores deliveries in one transaction, so one commit (one write-ahead-log flush) makes them all durable; each
     * is stored as {@code received} (or {@code ignored}, handled now, when {@link NewDelivery#ignoredBecause} says
     * why) unless one with its id exists already, or comes earlier in the list.
     *
     * @return for each delivery, in order: true when stored, false for a repeated delivery id
     * @throws IllegalArgumentException when a payload is not JSON; then nothing is stored
     */
    public boolean[] recordAll(List<NewDelivery> deliveries) {
        return recordAll(deliveries, true);
    }

    /**
     * Does what {@link #recordAll} does and rolls it back: nothing is stored. The intake's rehearsal before a node is
     * ready runs exactly the statements a real delivery does.
     */
    public boolean[] rehearseAll(List<NewDelivery> deliveries) {
        return recordAll(deliveries, false);
    }

    private boolean[] recordAll(List<NewDelivery> deliveries, boolean keep) {
        if (deliveries.isEmpty()) {
            return new boolean[0];
        }
        String what = (keep ? "record " : "rehearse recording ") + (deliveries.size() == 1
                ? "webhook delivery " + deliveries.get(0).deliveryId() : deliveries.size() + " webhook deliveries");
        Database.Work<boolean[]> insertAll = connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "insert into webhook_deliveries (delivery_id, event, action, installation_id,"
                            + " repository, payload, status, handled_at, outcome)"
                            + " values (?, ?, ?, ?, ?, ?::jsonb, ?, case when ? then now() end, ?)"
                            + " on conflict (delivery_id) do nothing")) {
                for (NewDelivery delivery : deliveries) {
                    boolean ignored = delivery.ignoredBecause() != null;
                    insert.setString(1, delivery.deliveryId());
                    insert.setString(2, delivery.event());
                    insert.setString(3, delivery.action());
                    Database.setLong(insert, 4, delivery.installationId());
                    insert.setString(5, delivery.repository());
                    insert.setString(6, delivery.payloadJson());
                    insert.setString(7, ignored ? "ignored" : "received");
                    insert.setBoolean(8, ignored);
                    insert.setString(9, delivery.ignoredBecause());
                    insert.addBatch();
                }
                int[] counts = insert.executeBatch();
                boolean[] stored = new boolean[counts.length];
                for (int i = 0; i < counts.length; i++) {
                    stored[i] = counts[i] == 1;
                }
                return stored;
            } catch (SQLException e) {
                SQLException cause = e.getNextException() != null ? e.getNextException() : e;
                if (Database.isInvalidText(e) || Database.isInvalidText(cause)) {
                    throw new IllegalArgumentException(deliveries.size() == 1
                            ? "payload of webhook delivery " + deliveries.get(0).deliveryId() + " is not valid JSON"
                            : "a payload of " + deliveries.size() + " webhook deliveries is not valid JSON");
                }
                throw e;
            }
        };
        return keep ? database.transaction(what, insertAll) : database.rehearsal(what, insertAll);
    }

    /**
     * Takes a {@code received} delivery whose next attempt is due: it becomes {@code processing},
     * its claim time is now and its attempts go up by one. Only one caller wins.
     *
     * @return the claimed delivery, or empty when it is unknown, not due, or not {@code received}
     */
    public Optional<StoredDelivery> claim(String deliveryId) {
        return claim(deliveryId, null);
    }

    /**
     * Like {@link #claim(String)}, but also takes over a delivery left {@code processing} for
     * longer than {@code staleProcessing} (its handler's node crashed), as {@link #due} lists.
     *
     * @param staleProcessing how long a claim may stay unfinished before another may take over;
     *                        null to take {@code received} deliveries only
     * @return the claimed delivery, or empty when it is not claimable
     */
    public Optional<StoredDelivery> claim(String deliveryId, Duration staleProcessing) {
        Database.requireText(deliveryId, "deliveryId");
        long staleMillis = staleProcessing == null ? -1 : Database.millis(staleProcessing, "staleProcessing");
        return database.transaction("claim webhook delivery " + deliveryId, connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "update webhook_deliveries set status = 'processing', claimed_at = now(),"
                            + " attempts = attempts + 1"
                            + " where delivery_id = ? and ((status = 'received' and next_attempt_at <= now())"
                            + " or (? >= 0 and status = 'processing'"
                            + " and claimed_at < now() - ? * interval '1 millisecond'))"
                            + " returning " + COLUMNS)) {
                update.setString(1, deliveryId);
                update.setLong(2, staleMillis);
                update.setLong(3, staleMillis);
                return readOne(update);
            }
        });
    }

    /**
     * Keeps a claim alive: a handler renews its {@code processing} delivery's claim time while it works, so that a
     * short {@code staleProcessing} hands over only the deliveries of nodes that died.
     *
     * @return false when the delivery is no longer {@code processing} (it ended, or another node took it over)
     */
    public boolean renew(String deliveryId) {
        Database.requireText(deliveryId, "deliveryId");
        return database.transaction("renew the claim of webhook delivery " + deliveryId, connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "update webhook_deliveries set claimed_at = now() where delivery_id = ? and status = 'processing'")) {
                update.setString(1, deliveryId);
                return update.executeUpdate() == 1;
            }
        });
    }

    /**
     * Ids of deliveries that should be claimed now: {@code received} ones whose next attempt is
     * due, and {@code processing} ones claimed longer ago than {@code staleProcessing}. Oldest
     * first. Changes nothing; pass the same {@code staleProcessing} to
     * {@link #claim(String, Duration)}.
     *
     * @param limit at most this many ids, at least 1
     */
    public List<String> due(Duration staleProcessing, int limit) {
        long staleMillis = Database.millis(staleProcessing, "staleProcessing");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        return database.transaction("list due webhook deliveries", connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "select delivery_id from webhook_deliveries"
                            + " where (status = 'received' and next_attempt_at <= now())"
                            + " or (status = 'processing' and claimed_at < now() - ? * interval '1 millisecond')"
                            + " order by received_at, delivery_id limit ?")) {
                query.setLong(1, staleMillis);
                query.setInt(2, limit);
                List<String> ids = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getString(1));
                    }
                }
                return ids;
            }
        });
    }

    /**
     * Ends a delivery as handled.
     *
     * @param outcome what handling it did, e.g. {@code job 42 queued}
     * @throws IllegalArgumentException when no delivery has this id
     * @throws IllegalStateException    when the delivery already ended
     */
    public void handled(String deliveryId, String outcome) {
        finish(deliveryId, "handled", outcome);
    }

    /**
     * Ends a delivery that needed no work (an event or action the bot does not act on).
     *
     * @param outcome why it was ignored
     * @throws IllegalArgumentException when no delivery has this id
     * @throws IllegalStateException    when the delivery already ended
     */
    public void ignored(String deliveryId, String outcome) {
        finish(deliveryId, "ignored", outcome);
    }

    /**
     * Ends a delivery that cannot be handled.
     *
     * @param reason why, in words an operator can act on
     * @throws IllegalArgumentException when no delivery has this id
     * @throws IllegalStateException    when the delivery already ended
     */
    public void failed(String deliveryId, String reason) {
        finish(deliveryId, "failed", reason);
    }

    /**
     * Hands a delivery back to be claimed again after {@code delay}; once it has been claimed
     * {@link #MAX_ATTEMPTS} times it is marked {@code failed} instead. {@code reason} becomes its
     * outcome either way.
     *
     * @throws IllegalArgumentException when no delivery has this id or {@code delay} is negative
     * @throws IllegalStateException    when the delivery already ended
     */
    public void retryLater(String deliveryId, Duration delay, String reason) {
        Database.requireText(deliveryId, "deliveryId");
        long delayMillis = Database.millis(delay, "delay");
        database.transaction("retry webhook delivery " + deliveryId, connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "update webhook_deliveries set"
                            + " status = case when attempts >= ? then 'failed' else 'received' end,"
                            + " next_attempt_at = now() + ? * interval '1 millisecond',"
                            + " handled_at = case when attempts >= ? then now() end,"
                            + " claimed_at = null, outcome = ?"
                            + " where delivery_id = ? and status in ('received', 'processing')")) {
                update.setInt(1, MAX_ATTEMPTS);
                update.setLong(2, delayMillis);
                update.setInt(3, MAX_ATTEMPTS);
                update.setString(4, reason);
                update.setString(5, deliveryId);
                if (update.executeUpdate() == 0) {
                    explainMissing(connection, deliveryId);
                }
                return null;
            }
        });
    }

    /**
     * Hands a {@code failed} delivery back to the sweep, as if it had just arrived: it becomes {@code received},
     * due now, with its attempts back at 0 (so {@link #retryLater} gives it all its tries again). Any other
     * status is left alone: a delivery that is being handled or was handled is not run twice.
     *
     * @param who who asked, recorded in its outcome
     * @throws IllegalArgumentException when no delivery has this id
     * @throws IllegalStateException    when the delivery is not {@code failed}
     */
    public void replay(String deliveryId, String who) {
        Database.requireText(deliveryId, "deliveryId");
        Database.requireText(who, "who");
        database.transaction("replay webhook delivery " + deliveryId, connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "update webhook_deliveries set status = 'received', attempts = 0, next_attempt_at = now(),"
                            + " claimed_at = null, handled_at = null,"
                            + " outcome = 'replayed by ' || ? || ' after: ' || coalesce(outcome, 'no outcome')"
                            + " where delivery_id = ? and status = 'failed'")) {
                update.setString(1, who);
                update.setString(2, deliveryId);
                if (update.executeUpdate() == 0) {
                    throw new IllegalStateException("webhook delivery " + deliveryId + " is "
                            + status(connection, deliveryId) + ", not failed: only a failed delivery can be replayed");
                }
                return null;
            }
        });
    }

    /** The delivery with this id, or empty. */
    public Optional<StoredDelivery> find(String deliveryId) {
        return database.transaction("find webhook delivery " + deliveryId, connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "select " + COLUMNS + " from webhook_deliveries where delivery_id = ?")) {
                query.setString(1, deliveryId);
                return readOne(query);
            }
        });
    }

    /** How many deliveries the inbox holds, in any status. */
    public long count() {
        return database.transaction("count webhook deliveries", connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "select count(*) from webhook_deliveries");
                 ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }

    private void finish(String deliveryId, String status, String outcome) {
        Database.requireText(deliveryId, "deliveryId");
        database.transaction("mark webhook delivery " + deliveryId + " " + status, connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "update webhook_deliveries set status = ?, handled_at = now(), outcome = ?"
                            + " where delivery_id = ? and status in ('received', 'processing')")) {
                update.setString(1, status);
                update.setString(2, outcome);
                update.setString(3, deliveryId);
                if (update.executeUpdate() == 0) {
                    explainMissing(connection, deliveryId);
                }
                return null;
            }
        });
    }

    /** Throws the error that says why an update of an open delivery matched no row. */
    private static void explainMissing(Connection connection, String deliveryId) throws SQLException {
        throw new IllegalStateException("webhook delivery " + deliveryId + " already ended as "
                + status(connection, deliveryId));
    }

    /** A delivery's status; an {@link IllegalArgumentException} when there is no such delivery. */
    private static String status(Connection connection, String deliveryId) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "select status from webhook_deliveries where delivery_id = ?")) {
            query.setString(1, deliveryId);
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    throw new IllegalArgumentException("no webhook delivery with id " + deliveryId);
                }
                return rows.getString(1);
            }
        }
    }

    private static Optional<StoredDelivery> readOne(PreparedStatement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery()) {
            if (!rows.next()) {
                return Optional.empty();
            }
            return Optional.of(new StoredDelivery(
                    rows.getString("delivery_id"),
                    rows.getString("event"),
                    rows.getString("action"),
                    Database.getLong(rows, "installation_id"),
                    rows.getString("repository"),
                    rows.getString("payload"),
                    rows.getString("status"),
                    rows.getInt("attempts"),
                    rows.getString("outcome")));
        }
    }
}
