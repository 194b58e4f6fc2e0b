package dev.patchwright.worker.db;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * Runs short units of JDBC work on a {@link DataSource}: one connection, one transaction,
 * rolled back on any failure, and every {@link SQLException} turned into a
 * {@link QueueException} that says what was being done.
 */
public final class Database {

    /** A unit of work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final DataSource dataSource;

    public Database(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Runs {@code work} in one transaction and commits it.
     *
     * @param what what the work does, for the error message ("claim a job")
     * @throws QueueException when the database fails; the transaction is rolled back
     */
    public <T> T transaction(String what, Work<T> work) {
        return run(what, work, true);
    }

    /**
     * Runs {@code work} in one transaction as {@link #transaction} does, and rolls it back: nothing it wrote stays,
     * but it took the same code paths, connections and locks. A node rehearses its intake this way before it says it
     * is ready, so that its first real deliveries do not pay for a cold start.
     *
     * @throws QueueException when the database fails
     */
    public <T> T rehearsal(String what, Work<T> work) {
        return run(what, work, false);
    }

    private <T> T run(String what, Work<T> work, boolean commit) {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                if (commit) {
                    connection.commit();
                } else {
                    connection.rollback();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback(connection, e);
                throw e;
            } finally {
                restore(connection, autoCommit);
            }
        } catch (SQLException e) {
            throw new QueueException("could not " + what + ": " + e.getMessage(), e);
        }
    }

    private static void rollback(Connection connection, Exception failure) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    private static void restore(Connection connection, boolean autoCommit) {
        try {
            connection.setAutoCommit(autoCommit);
        } catch (SQLException e) {
            // A pooled connection that cannot be reset is discarded by its pool; nothing to add.
        }
    }

    /**
     * {@code text} as PostgreSQL's {@code text} and {@code jsonb} accept it: they refuse the NUL character, which
     * a model's garbage or a test's output may hold, so each is replaced with U+FFFD. Null stays null.
     */
    public static String storable(String text) {
        return text == null || text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
    }

    /** Whether {@code e} is PostgreSQL's unique_violation. */
    public static boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    /** Whether {@code e} is PostgreSQL's invalid_text_representation (bad JSON, among others). */
    public static boolean isInvalidText(SQLException e) {
        return "22P02".equals(e.getSQLState());
    }

    /** {@code duration} in whole milliseconds, refusing negative values with a named error. */
    public static long millis(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + duration);
        }
        return duration.toMillis();
    }

    public static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }

    public static void setLong(PreparedStatement statement, int index, Long value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.BIGINT);
        } else {
            statement.setLong(index, value);
        }
    }

    public static void setInt(PreparedStatement statement, int index, Integer value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.INTEGER);
        } else {
            statement.setInt(index, value);
        }
    }

    public static Long getLong(ResultSet rows, String column) throws SQLException {
        long value = rows.getLong(column);
        return rows.wasNull() ? null : value;
    }

    public static Integer getInt(ResultSet rows, String column) throws SQLException {
        int value = rows.getInt(column);
        return rows.wasNull() ? null : value;
    }

    public static Instant getInstant(ResultSet rows, String column) throws SQLException {
        OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
