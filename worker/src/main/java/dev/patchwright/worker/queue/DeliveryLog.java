package dev.patchwright.worker.queue;

import dev.patchwright.worker.db.Database;
import dev.patchwright.worker.db.QueueException;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads webhook deliveries back for the console: the latest ones and how many ended each way. Changes nothing;
 * {@link DeliveryInbox} owns every change. Every method throws {@link QueueException} when the database fails.
 */
public final class DeliveryLog {

    /** The statuses a delivery can have, in the order the console shows them. */
    public static final List<String> STATUSES = List.of("received", "processing", "handled", "ignored", "failed");

    /**
     * One delivery as an operator reads it; the payload stays out (it can be large and says nothing at a glance).
     *
     * @param handledAt when it ended, or null while open
     */
    public record Entry(String deliveryId, String event, String action, String repository, Instant receivedAt,
                        String status, int attempts, Instant handledAt, String outcome) {
    }

    private final Database database;

    /** A reader over {@code dataSource}, which must hold the project's migrations. */
    public DeliveryLog(DataSource dataSource) {
        this.database = new Database(dataSource);
    }

    /**
     * The most recently received deliveries, newest first.
     *
     * @param limit at most this many, at least 1
     */
    public List<Entry> recent(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        return database.transaction("read recent webhook deliveries", connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "select delivery_id, event, action, repository, received_at, status, attempts, handled_at, outcome"
                            + " from webhook_deliveries order by received_at desc, delivery_id limit ?")) {
                query.setInt(1, limit);
                List<Entry> entries = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        entries.add(new Entry(rows.getString("delivery_id"), rows.getString("event"),
                                rows.getString("action"), rows.getString("repository"),
                                Database.getInstant(rows, "received_at"), rows.getString("status"),
                                rows.getInt("attempts"), Database.getInstant(rows, "handled_at"),
                                rows.getString("outcome")));
                    }
                }
                return entries;
            }
        });
    }

    /**
     * How many deliveries received within {@code window} (up to now, database time) have each status; every status
     * of {@link #STATUSES} is present, in that order, 0 when none.
     */
    public Map<String, Long> countsByStatus(Duration window) {
        long millis = Database.millis(window, "window");
        return database.transaction("count webhook deliveries by status", connection -> {
            Map<String, Long> counts = new LinkedHashMap<>();
            STATUSES.forEach(status -> counts.put(status, 0L));
            try (PreparedStatement query = connection.prepareStatement(
                    "select status, count(*) from webhook_deliveries"
                            + " where received_at >= now() - ? * interval '1 millisecond' group by status")) {
                query.setLong(1, millis);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        counts.put(rows.getString(1), rows.getLong(2));
                    }
                }
            }
            return counts;
        });
    }
}
