package dev.patchwright.worker.budget;

import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.db.Database;
import dev.patchwright.worker.db.LeaseLostException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Money in PostgreSQL: reservations, the append-only {@code spend_ledger}, and the totals per job, per repository
 * and month, and per installation and month (tables of {@code V003__create_spend_ledger.sql}).
 *
 * <p>The rules, enforced by the database so they hold across any number of nodes:
 * <ul>
 *   <li>A reservation raises the three totals' held amounts in one conditional {@code update} that only touches a
 *       row whose spent + held + the new amount stays within its limit; unless all three rows were updated, the
 *       transaction rolls back and nothing is held. The rows are locked in one order first, so concurrent
 *       reservations queue instead of deadlocking, and each sees the others' holds.</li>
 *   <li>A settlement writes its ledger entry and moves its amount from held to spent in the same transaction, so
 *       every total equals the sum of its entries.</li>
 *   <li>A reservation is taken only while the job runs under the worker that asks, and the held reservations of a
 *       job that stopped running (finished, failed, handed back by the lease reaper) are released by
 *       {@link #releaseStopped()}.</li>
 * </ul>
 * Every method throws {@code QueueException} when the database fails.
 */
public final class SpendLedger {

    private static final String MONTH = "select to_char(now() at time zone 'UTC', 'YYYY-MM')";

    private static final String RESERVE = """
            update spend_totals t set reserved_micros = t.reserved_micros + ?
            from (values ('job', ?, ?::bigint), ('repository-month', ?, ?::bigint),
                         ('installation-month', ?, ?::bigint)) as l(scope, key, limit_micros)
            where t.scope = l.scope and t.key = l.key
              and t.spent_micros + t.reserved_micros + ? <= l.limit_micros
            """;

    private final Database database;

    /** A ledger over {@code dataSource}, which must hold the project's migrations. */
    public SpendLedger(DataSource dataSource) {
        this.database = new Database(dataSource);
    }

    /**
     * The guard one job spends through.
     *
     * @param workerId the worker that runs the job: reservations are refused with {@link LeaseLostException} once
     *                 it no longer holds the job's lease; null to skip that check (tests, tools)
     */
    public SpendGuard forJob(long jobId, String repository, Long installationId, Limits limits, String workerId) {
        return new LedgerGuard(this, new Scope(jobId, Database.requireText(repository, "repository"),
                installationId == null ? 0 : installationId, Objects.requireNonNull(limits, "limits"), workerId, null));
    }

    /**
     * The guard one job of a run spends through whose total is not a calendar month's (a backtest, which may run
     * across a month's end and be resumed in the next): its "repository" total is {@code run}'s whole spend, held
     * under {@code limits.repositoryMonthly()}, and its entries are written with {@code period} in place of a month.
     *
     * @param period a fixed label that stands for the month, e.g. {@code "backtest"}
     */
    public SpendGuard forRun(long jobId, String run, String period, Limits limits) {
        return new LedgerGuard(this, new Scope(jobId, Database.requireText(run, "run"), 0,
                Objects.requireNonNull(limits, "limits"), null, Database.requireText(period, "period")));
    }

    /**
     * Who a job spends for.
     *
     * @param period the fixed label that stands for the month, or null for the calendar month (UTC) of each step
     */
    record Scope(long jobId, String repository, long installationId, Limits limits, String workerId, String period) {
        String month(Connection connection) throws SQLException {
            return period != null ? period : SpendLedger.month(connection);
        }
    }

    long reserve(Scope scope, SpendKind kind, Money amount) throws BudgetExceededException {
        if (amount.isNegative()) {
            throw new IllegalArgumentException("a reservation must not be negative, was " + amount);
        }
        Refusal[] refused = new Refusal[1];
        Long id = database.transaction("reserve " + amount + " for job " + scope.jobId(), connection -> {
            requireLease(connection, scope);
            String month = scope.month(connection);
            String[] keys = keys(scope, month);
            ensureTotals(connection, keys);
            List<Money[]> before = lockTotals(connection, keys);
            Money[] limits = {scope.limits().perIssue(), scope.limits().repositoryMonthly(),
                    scope.limits().installationMonthly()};
            try (PreparedStatement reserve = connection.prepareStatement(RESERVE)) {
                reserve.setLong(1, amount.micros());
                for (int i = 0; i < 3; i++) {
                    reserve.setString(2 + 2 * i, keys[i]);
                    reserve.setLong(3 + 2 * i, limits[i].micros());
                }
                reserve.setLong(8, amount.micros());
                if (reserve.executeUpdate() != 3) {
                    connection.rollback();
                    refused[0] = refusal(scope, before, limits, amount);
                    return null;
                }
            }
            try (PreparedStatement insert = connection.prepareStatement("insert into spend_reservations"
                    + " (job_id, repository, installation_id, month, kind, amount_micros) values (?, ?, ?, ?, ?, ?)"
                    + " returning id")) {
                insert.setLong(1, scope.jobId());
                insert.setString(2, scope.repository());
                insert.setLong(3, scope.installationId());
                insert.setString(4, month);
                insert.setString(5, kind.label());
                insert.setLong(6, amount.micros());
                try (ResultSet rows = insert.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
        if (id == null) {
            throw refused[0].exception();
        }
        return id;
    }

    void settle(long reservationId, Charge charge) {
        database.transaction("settle reservation " + reservationId, connection -> {
            Held held = close(connection, reservationId, "settled");
            if (held.wasSettled()) {
                throw new IllegalStateException("reservation " + reservationId + " is already settled");
            }
            try (PreparedStatement insert = connection.prepareStatement("insert into spend_ledger (job_id,"
                    + " reservation_id, repository, installation_id, month, kind, model, prompt_tokens,"
                    + " cached_prompt_tokens, completion_tokens, compute_millis, price, amount_micros)"
                    + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setLong(1, held.jobId());
                insert.setLong(2, reservationId);
                insert.setString(3, held.repository());
                insert.setLong(4, held.installationId());
                insert.setString(5, held.month());
                insert.setString(6, charge.kind().label());
                insert.setString(7, charge.model());
                insert.setLong(8, charge.usage().promptTokens());
                insert.setLong(9, charge.usage().cachedPromptTokens());
                insert.setLong(10, charge.usage().completionTokens());
                insert.setLong(11, charge.compute().toMillis());
                insert.setString(12, charge.price());
                insert.setLong(13, charge.amount().micros());
                insert.executeUpdate();
            }
            // A reservation the recovery already released was still paid for: its cost counts in full.
            moveTotals(connection, held, held.wasHeld() ? held.amount() : 0, charge.amount().micros());
            return null;
        });
    }

    void release(long reservationId) {
        database.transaction("release reservation " + reservationId, connection -> {
            Held held = close(connection, reservationId, "released");
            if (!held.wasHeld()) {
                throw new IllegalStateException("reservation " + reservationId + " is already " + held.status());
            }
            moveTotals(connection, held, held.amount(), 0);
            return null;
        });
    }

    /**
     * Releases the held reservations of every job that is no longer running: the recovery of a crashed or
     * cancelled job. Safe to run on many nodes at once.
     *
     * @return how many reservations were released
     */
    public int releaseStopped() {
        return releaseWhere("the reservations of stopped jobs", "j.status <> 'running'", null);
    }

    /**
     * Releases the held reservations of one job, taken by an earlier attempt that did not end them (its node
     * crashed in the middle of a step). Called when a new attempt starts, before it spends.
     *
     * @return how many reservations were released
     */
    public int releaseEarlierAttempts(long jobId) {
        return releaseWhere("the reservations of job " + jobId, "j.id = ?", jobId);
    }

    private int releaseWhere(String what, String condition, Long jobId) {
        return database.transaction("release " + what, connection -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement("select r.id from spend_reservations r"
                    + " join jobs j on j.id = r.job_id where r.status = 'held' and " + condition
                    + " order by r.id for update of r skip locked")) {
                if (jobId != null) {
                    query.setLong(1, jobId);
                }
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getLong(1));
                    }
                }
            }
            for (long id : ids) {
                Held held = close(connection, id, "released");
                moveTotals(connection, held, held.amount(), 0);
            }
            return ids.size();
        });
    }

    /**
     * Spent and held this calendar month (UTC) by one repository.
     *
     * @param month {@code YYYY-MM}
     */
    public record MonthSpend(String month, Money spent, Money held) {
    }

    /** What {@code repository} spent and holds this month. */
    public MonthSpend repositoryMonth(String repository) {
        return repositoryPeriod(repository, null);
    }

    /** What {@code repository} (or a run, see {@link #forRun}) spent and holds in {@code period}; null: this month. */
    public MonthSpend repositoryPeriod(String repository, String period) {
        return database.transaction("read the spend of " + repository, connection -> {
            String month = period != null ? period : month(connection);
            try (PreparedStatement query = connection.prepareStatement("select spent_micros, reserved_micros"
                    + " from spend_totals where scope = 'repository-month' and key = ?")) {
                query.setString(1, repository + "@" + month);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? new MonthSpend(month, Money.ofMicros(rows.getLong(1)),
                            Money.ofMicros(rows.getLong(2))) : new MonthSpend(month, Money.ZERO, Money.ZERO);
                }
            }
        });
    }

    /**
     * What the jobs of one issue (or pull request) of {@code repository} spent and hold, every job and attempt
     * together.
     *
     * @return {spent, held}
     */
    public Money[] issueTotal(String repository, int issueNumber) {
        return issueSums(repository, issueNumber, -1);
    }

    /**
     * What an issue's other jobs spent and still hold: the money a revision's share of the issue's budget is already
     * short of.
     */
    public Money issueSpentBefore(String repository, int issueNumber, long jobId) {
        Money[] sums = issueSums(repository, issueNumber, jobId);
        return sums[0].plus(sums[1]);
    }

    /** {spent, held} over the issue's jobs but {@code exceptJob} (-1 for none). */
    private Money[] issueSums(String repository, int issueNumber, long exceptJob) {
        return database.transaction("read the spend of " + repository + "#" + issueNumber, connection -> {
            try (PreparedStatement query = connection.prepareStatement("select coalesce(sum(t.spent_micros), 0),"
                    + " coalesce(sum(t.reserved_micros), 0) from spend_totals t join jobs j"
                    + " on t.scope = 'job' and t.key = j.id::text where j.repository = ? and j.issue_number = ?"
                    + " and j.id <> ?")) {
                query.setString(1, repository);
                query.setInt(2, issueNumber);
                query.setLong(3, exceptJob);
                try (ResultSet rows = query.executeQuery()) {
                    rows.next();
                    return new Money[] {Money.ofMicros(rows.getLong(1)), Money.ofMicros(rows.getLong(2))};
                }
            }
        });
    }

    /** Every repository's spend this month, by name. */
    public java.util.Map<String, MonthSpend> repositoriesThisMonth() {
        return database.transaction("read this month's spend", connection -> {
            String month = month(connection);
            java.util.Map<String, MonthSpend> result = new java.util.TreeMap<>();
            try (PreparedStatement query = connection.prepareStatement("select key, spent_micros, reserved_micros"
                    + " from spend_totals where scope = 'repository-month' and key like ?")) {
                query.setString(1, "%@" + month);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        String key = rows.getString(1);
                        result.put(key.substring(0, key.length() - month.length() - 1), new MonthSpend(month,
                                Money.ofMicros(rows.getLong(2)), Money.ofMicros(rows.getLong(3))));
                    }
                }
            }
            return result;
        });
    }

    /** What a job's limits leave, read now. */
    BudgetStatus status(Scope scope) {
        return database.transaction("read the spend of job " + scope.jobId(), connection -> {
            List<Money[]> totals = readTotals(connection, keys(scope, scope.month(connection)), false);
            return new BudgetStatus(scope.limits(), totals.get(0)[0], totals.get(0)[1], totals.get(1)[0],
                    totals.get(1)[1], totals.get(2)[0], totals.get(2)[1]);
        });
    }

    private static void requireLease(Connection connection, Scope scope) throws SQLException {
        if (scope.workerId() == null) {
            return;
        }
        // Shared lock: the lease reaper skips the job until this reservation is committed, then releases it.
        try (PreparedStatement query = connection.prepareStatement("select 1 from jobs where id = ?"
                + " and status = 'running' and lease_owner = ? for share")) {
            query.setLong(1, scope.jobId());
            query.setString(2, scope.workerId());
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    throw new LeaseLostException(scope.jobId(), scope.workerId());
                }
            }
        }
    }

    private static String month(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(MONTH); ResultSet rows = query.executeQuery()) {
            rows.next();
            return rows.getString(1);
        }
    }

    /** The totals' keys, in the order of the scopes job, repository-month, installation-month. */
    private static String[] keys(Scope scope, String month) {
        return new String[] {String.valueOf(scope.jobId()), scope.repository() + "@" + month,
                scope.installationId() + "@" + month};
    }

    private static void ensureTotals(Connection connection, String[] keys) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("insert into spend_totals (scope, key) values"
                + " ('job', ?), ('repository-month', ?), ('installation-month', ?) on conflict do nothing")) {
            for (int i = 0; i < 3; i++) {
                insert.setString(i + 1, keys[i]);
            }
            insert.executeUpdate();
        }
    }

    /** Locks the three totals rows in one global order (installation, job, repository); returns spent, held. */
    private static List<Money[]> lockTotals(Connection connection, String[] keys) throws SQLException {
        return readTotals(connection, keys, true);
    }

    /** Spent and held of the three totals, in the order of {@link #keys}; zero for a row not there yet. */
    private static List<Money[]> readTotals(Connection connection, String[] keys, boolean lock) throws SQLException {
        Money[][] found = {{Money.ZERO, Money.ZERO}, {Money.ZERO, Money.ZERO}, {Money.ZERO, Money.ZERO}};
        try (PreparedStatement query = connection.prepareStatement("select scope, spent_micros, reserved_micros"
                + " from spend_totals where (scope, key) in (('job', ?), ('repository-month', ?),"
                + " ('installation-month', ?)) order by scope, key" + (lock ? " for update" : ""))) {
            for (int i = 0; i < 3; i++) {
                query.setString(i + 1, keys[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    int slot = switch (rows.getString(1)) {
                        case "job" -> 0;
                        case "repository-month" -> 1;
                        default -> 2;
                    };
                    found[slot] = new Money[] {Money.ofMicros(rows.getLong(2)), Money.ofMicros(rows.getLong(3))};
                }
            }
        }
        return List.of(found);
    }

    private static Refusal refusal(Scope scope, List<Money[]> before, Money[] limits, Money amount) {
        String[] names = {"this issue's budget", scope.period() != null ? "the whole run's budget"
                : "this repository's monthly budget", "this installation's monthly budget"};
        for (int i = 0; i < 3; i++) {
            Money used = before.get(i)[0].plus(before.get(i)[1]);
            if (used.plus(amount).exceeds(limits[i])) {
                return new Refusal(names[i], limits[i], used, amount);
            }
        }
        throw new IllegalStateException("a reservation of " + amount + " was refused though every limit fits it");
    }

    private record Refusal(String name, Money limit, Money used, Money asked) {
        BudgetExceededException exception() {
            return new BudgetExceededException(name, limit, used, asked);
        }
    }

    /** A reservation as it was before {@link #close} changed its status. */
    private record Held(long jobId, String repository, long installationId, String month, long amount,
                        String status) {
        boolean wasHeld() {
            return status.equals("held");
        }

        boolean wasSettled() {
            return status.equals("settled");
        }
    }

    private static Held close(Connection connection, long reservationId, String newStatus) throws SQLException {
        Held held;
        try (PreparedStatement query = connection.prepareStatement("select job_id, repository, installation_id,"
                + " month, amount_micros, status from spend_reservations where id = ? for update")) {
            query.setLong(1, reservationId);
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    throw new IllegalArgumentException("no reservation " + reservationId);
                }
                held = new Held(rows.getLong(1), rows.getString(2), rows.getLong(3), rows.getString(4),
                        rows.getLong(5), rows.getString(6));
            }
        }
        if (held.wasHeld() || newStatus.equals("settled") && held.status().equals("released")) {
            try (PreparedStatement update = connection.prepareStatement("update spend_reservations set status = ?,"
                    + " closed_at = now() where id = ?")) {
                update.setString(1, newStatus);
                update.setLong(2, reservationId);
                update.executeUpdate();
            }
        }
        return held;
    }

    /** Takes {@code heldMicros} off the three totals' held amounts and adds {@code spentMicros} to their spend. */
    private static void moveTotals(Connection connection, Held held, long heldMicros, long spentMicros)
            throws SQLException {
        lockTotals(connection, new String[] {String.valueOf(held.jobId()), held.repository() + "@" + held.month(),
                held.installationId() + "@" + held.month()});
        try (PreparedStatement update = connection.prepareStatement("update spend_totals"
                + " set reserved_micros = reserved_micros - ?, spent_micros = spent_micros + ?"
                + " where (scope, key) in (('installation-month', ?), ('job', ?), ('repository-month', ?))")) {
            update.setLong(1, heldMicros);
            update.setLong(2, spentMicros);
            update.setString(3, held.installationId() + "@" + held.month());
            update.setString(4, String.valueOf(held.jobId()));
            update.setString(5, held.repository() + "@" + held.month());
            if (update.executeUpdate() != 3) {
                throw new IllegalStateException("the totals of reservation of job " + held.jobId() + " are missing");
            }
        }
    }
}
