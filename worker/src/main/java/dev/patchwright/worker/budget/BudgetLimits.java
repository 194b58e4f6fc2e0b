package dev.patchwright.worker.budget;

import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.config.RepoBudget;
import dev.patchwright.worker.db.Database;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Where a job's {@link Limits} come from, lowest wins: the operator's defaults (configuration), replaced per
 * repository or installation by what the operator set through the REST API ({@code budget_limits}), then lowered
 * (never raised) by the repository's own {@code budget:} in {@code patchwright.yml}. Every change through the API
 * is checked against the operator's maximums and recorded in {@code budget_changes} with who made it.
 */
public final class BudgetLimits {

    /**
     * A repository's limits as the operator set them; each null when the default applies.
     *
     * @param monthly      dollars per calendar month
     * @param perIssue     dollars per issue
     * @param perIssueTime wall-clock time per issue
     * @param updatedBy    who set them last, or null when never set
     * @param updatedAt    when, or null
     */
    public record Override(Money monthly, Money perIssue, Duration perIssueTime, String updatedBy, Instant updatedAt) {
        /** Nothing set. */
        public static final Override NONE = new Override(null, null, null, null, null);
    }

    private final Database database;
    private final Limits defaults;
    private final Limits maximums;

    /**
     * @param defaults what applies where the operator set nothing for a repository or installation
     * @param maximums the most anyone may set through the API (per-issue time included)
     */
    public BudgetLimits(DataSource dataSource, Limits defaults, Limits maximums) {
        this.database = new Database(dataSource);
        this.defaults = Objects.requireNonNull(defaults, "defaults");
        this.maximums = Objects.requireNonNull(maximums, "maximums");
    }

    /** The most anyone may set or ask for, per-issue budgets asked for with a trigger included. */
    public Limits maximums() {
        return maximums;
    }

    /** The operator's defaults. */
    public Limits defaults() {
        return defaults;
    }

    /** The limits a job on {@code repository} runs under, with the repository's own {@code budget:} applied. */
    public Limits effective(String repository, Long installationId, RepoBudget repoBudget) {
        Override repo = repository(repository);
        Override installation = installationId == null ? Override.NONE : read("installation", installationId.toString());
        Limits operator = new Limits(repo.monthly() != null ? repo.monthly() : defaults.repositoryMonthly(),
                repo.perIssue() != null ? repo.perIssue() : defaults.perIssue(),
                repo.perIssueTime() != null ? repo.perIssueTime() : defaults.perIssueTime(),
                installation.monthly() != null ? installation.monthly() : defaults.installationMonthly());
        RepoBudget lower = repoBudget == null ? RepoBudget.NONE : repoBudget;
        return operator.lowerTo(lower.monthly(), lower.perIssue(), lower.perIssueTime());
    }

    /** What the operator set for {@code repository}. */
    public Override repository(String repository) {
        return read("repository", Database.requireText(repository, "repository"));
    }

    /**
     * Replaces what the operator set for {@code repository}; a null value goes back to the default.
     *
     * @param changedBy who made the change, recorded with it
     * @throws IllegalArgumentException naming the field, when a value is negative or above the operator's maximum;
     *                                  nothing is changed then
     */
    public Override setRepository(String repository, Money monthly, Money perIssue, Duration perIssueTime,
                                  String changedBy) {
        Database.requireText(repository, "repository");
        Database.requireText(changedBy, "changedBy");
        check("monthly", monthly, maximums.repositoryMonthly());
        check("per_issue", perIssue, maximums.perIssue());
        if (perIssueTime != null && (perIssueTime.compareTo(Duration.ofMinutes(1)) < 0
                || perIssueTime.compareTo(maximums.perIssueTime()) > 0)) {
            throw new IllegalArgumentException("per_issue_time must be between 1m and " + minutes(maximums.perIssueTime())
                    + ", got " + minutes(perIssueTime));
        }
        return database.transaction("set the budget of " + repository, connection -> {
            Override before = read(connection, "repository", repository);
            try (PreparedStatement upsert = connection.prepareStatement("insert into budget_limits (scope, key,"
                    + " monthly_micros, per_issue_micros, per_issue_seconds, updated_by) values ('repository', ?, ?, ?, ?, ?)"
                    + " on conflict (scope, key) do update set monthly_micros = excluded.monthly_micros,"
                    + " per_issue_micros = excluded.per_issue_micros, per_issue_seconds = excluded.per_issue_seconds,"
                    + " updated_by = excluded.updated_by, updated_at = now()")) {
                upsert.setString(1, repository);
                setMicros(upsert, 2, monthly);
                setMicros(upsert, 3, perIssue);
                Database.setLong(upsert, 4, perIssueTime == null ? null : perIssueTime.toSeconds());
                upsert.setString(5, changedBy);
                upsert.executeUpdate();
            }
            Override after = read(connection, "repository", repository);
            try (PreparedStatement audit = connection.prepareStatement("insert into budget_changes (scope, key,"
                    + " changed_by, before, after) values ('repository', ?, ?, ?::jsonb, ?::jsonb)")) {
                audit.setString(1, repository);
                audit.setString(2, changedBy);
                audit.setString(3, before.updatedAt() == null ? null : json(before));
                audit.setString(4, json(after));
                audit.executeUpdate();
            }
            return after;
        });
    }

    private static void check(String field, Money value, Money maximum) {
        if (value == null) {
            return;
        }
        if (value.isNegative()) {
            throw new IllegalArgumentException(field + " must not be negative, got " + value);
        }
        if (value.exceeds(maximum)) {
            throw new IllegalArgumentException(field + " must be at most " + maximum + " (the operator's maximum), got "
                    + value);
        }
    }

    private Override read(String scope, String key) {
        return database.transaction("read the budget of " + key, connection -> read(connection, scope, key));
    }

    private static Override read(Connection connection, String scope, String key) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("select monthly_micros, per_issue_micros,"
                + " per_issue_seconds, updated_by, updated_at from budget_limits where scope = ? and key = ?")) {
            query.setString(1, scope);
            query.setString(2, key);
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    return Override.NONE;
                }
                Long monthly = Database.getLong(rows, "monthly_micros");
                Long perIssue = Database.getLong(rows, "per_issue_micros");
                Long seconds = Database.getLong(rows, "per_issue_seconds");
                return new Override(monthly == null ? null : Money.ofMicros(monthly),
                        perIssue == null ? null : Money.ofMicros(perIssue),
                        seconds == null ? null : Duration.ofSeconds(seconds), rows.getString("updated_by"),
                        Database.getInstant(rows, "updated_at"));
            }
        }
    }

    private static void setMicros(PreparedStatement statement, int index, Money value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.BIGINT);
        } else {
            statement.setLong(index, value.micros());
        }
    }

    private static String json(Override value) {
        return "{\"monthly_micros\": " + (value.monthly() == null ? "null" : value.monthly().micros())
                + ", \"per_issue_micros\": " + (value.perIssue() == null ? "null" : value.perIssue().micros())
                + ", \"per_issue_seconds\": " + (value.perIssueTime() == null ? "null" : value.perIssueTime().toSeconds())
                + "}";
    }

    /** {@code 90m}, {@code 24h}: how durations are written in settings. */
    public static String minutes(Duration duration) {
        long minutes = duration.toMinutes();
        return minutes % 60 == 0 ? (minutes / 60) + "h" : minutes + "m";
    }
}
