package dev.patchwright.worker.budget;

import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.db.Database;
import dev.patchwright.worker.db.QueueException;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads the spend ledger back the ways an operator looks at it: per day, today, and entry by entry for one job.
 * Days are calendar days in UTC, as the ledger's months are. Changes nothing. Every method throws
 * {@link QueueException} when the database fails.
 */
public final class SpendReport {

    /** What one repository spent on one day. */
    public record DaySpend(String repository, LocalDate day, Money amount) {
    }

    /**
     * One settled charge.
     *
     * @param computeMillis sandbox or GPU time charged, in milliseconds
     * @param price         the price applied, as people read it
     */
    public record Entry(Instant at, String kind, String model, long promptTokens, long cachedPromptTokens,
                        long completionTokens, long computeMillis, String price, Money amount) {
    }

    private final Database database;

    /** A report over {@code dataSource}, which must hold the project's migrations. */
    public SpendReport(DataSource dataSource) {
        this.database = new Database(dataSource);
    }

    /**
     * Spend per repository per day over the last {@code days} days, today included, oldest first; days without
     * spend are left out.
     *
     * @param days at least 1
     */
    public List<DaySpend> daily(int days) {
        if (days < 1) {
            throw new IllegalArgumentException("days must be at least 1, got " + days);
        }
        return database.transaction("read spend per day", connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "select repository, (at at time zone 'UTC')::date as day, sum(amount_micros) from spend_ledger"
                            + " where at >= ((now() at time zone 'UTC')::date - ?) at time zone 'UTC'"
                            + " group by 1, 2 order by 2, 1")) {
                query.setInt(1, days - 1);
                List<DaySpend> result = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        result.add(new DaySpend(rows.getString(1), rows.getObject(2, LocalDate.class),
                                Money.ofMicros(rows.getLong(3))));
                    }
                }
                return result;
            }
        });
    }

    /** What each repository spent today (UTC), by name; repositories without spend today are left out. */
    public Map<String, Money> today() {
        Map<String, Money> result = new LinkedHashMap<>();
        daily(1).forEach(day -> result.put(day.repository(), day.amount()));
        return result;
    }

    /** The ledger entries of one job, in the order they were written; empty for an unknown job. */
    public List<Entry> entries(long jobId) {
        return database.transaction("read the ledger of job " + jobId, connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "select at, kind, model, prompt_tokens, cached_prompt_tokens, completion_tokens, compute_millis,"
                            + " price, amount_micros from spend_ledger where job_id = ? order by id")) {
                query.setLong(1, jobId);
                List<Entry> entries = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        entries.add(new Entry(Database.getInstant(rows, "at"), rows.getString("kind"),
                                rows.getString("model"), rows.getLong("prompt_tokens"),
                                rows.getLong("cached_prompt_tokens"), rows.getLong("completion_tokens"),
                                rows.getLong("compute_millis"), rows.getString("price"),
                                Money.ofMicros(rows.getLong("amount_micros"))));
                    }
                }
                return entries;
            }
        });
    }

    /**
     * Every repository the bot knows of: installed, with a job, with a limit the operator set, or with spend. By
     * name.
     */
    public List<String> repositories() {
        return database.transaction("list known repositories", connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "select full_name from repositories union select repository from jobs"
                            + " union select key from budget_limits where scope = 'repository'"
                            + " union select repository from spend_ledger");
                 ResultSet rows = query.executeQuery()) {
                TreeSet<String> names = new TreeSet<>();
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
                return List.copyOf(names);
            }
        });
    }
}
