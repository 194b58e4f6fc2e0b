package dev.patchwright.bot.e2e;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the end-to-end tests read back from the bot's database: rows as column-to-value maps, arrays unwrapped. */
final class Rows {

    private Rows() {
    }

    /** What a test says when it waited in vain; may read the database to say it. */
    @FunctionalInterface
    interface Failure {
        String describe() throws SQLException;
    }

    /**
     * The first row {@code sql} returns, once it returns one; polled every 200 ms.
     *
     * @throws AssertionError with {@code failure}'s text when none came within {@code wait}
     */
    static Map<String, Object> awaitRow(DataSource database, Duration wait, Failure failure, String sql,
                                        Object... args) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            List<Map<String, Object>> rows = query(database, sql, args);
            if (!rows.isEmpty()) {
                return rows.get(0);
            }
            Thread.sleep(200);
        }
        throw new AssertionError(failure.describe());
    }

    static List<Map<String, Object>> query(DataSource database, String sql, Object... args) throws SQLException {
        try (Connection connection = database.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                statement.setObject(i + 1, args[i]);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int c = 1; c <= rs.getMetaData().getColumnCount(); c++) {
                        Object value = rs.getObject(c);
                        if (value instanceof Array array) {
                            value = array.getArray();
                        }
                        row.put(rs.getMetaData().getColumnLabel(c), value);
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }
}
