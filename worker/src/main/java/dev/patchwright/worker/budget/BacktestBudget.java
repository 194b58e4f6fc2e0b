package dev.patchwright.worker.budget;

import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.db.Database;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Objects;

/**
 * The money of one backtest run, in the bot's ledger ({@link SpendLedger}) and with its reservations: every replayed
 * case is a row of {@code jobs} (found again by {@code delivery_id = 'backtest:' || commit}), its per-issue total
 * the case's, and the run's total the ledger's repository total for the fixed period {@value #PERIOD}, so the
 * run's limit holds however many cases run at once, and a resumed run counts what earlier runs spent in the same
 * database against it. A case replayed again after a stop keeps its job, so its earlier spend counts against its
 * own budget too.
 *
 * <p>The case jobs are never {@code running} (no worker leases them), so {@link #releaseLeftOver} gives back the
 * holds of a run that was killed in the middle of a step; call it before a run starts, never while one runs.
 */
public final class BacktestBudget {

    /** The label that stands for the month in this run's ledger entries and totals. */
    public static final String PERIOD = "backtest";

    private final SpendLedger ledger;
    private final Database database;
    private final String run;
    private final Limits limits;

    /**
     * @param dataSource a database with the project's migrations, used by this run alone
     * @param run        the run's name, e.g. the repository's {@code owner/name}
     * @param total      the most the whole run may spend, earlier runs in this database included
     * @param perCase    the most one case may spend, its earlier attempts included
     */
    public BacktestBudget(DataSource dataSource, String run, Money total, Money perCase) {
        this.ledger = new SpendLedger(dataSource);
        this.database = new Database(dataSource);
        this.run = Database.requireText(run, "run");
        Money most = Limits.unlimited().installationMonthly();
        this.limits = new Limits(Objects.requireNonNull(total, "total"), Objects.requireNonNull(perCase, "perCase"),
                Duration.ofDays(3650), most);
    }

    /** Gives back what a killed run still held. @return how many holds */
    public int releaseLeftOver() {
        return ledger.releaseStopped();
    }

    /** The guard one case spends through: its own limit and the run's, held together. */
    public SpendGuard forCase(String commit) {
        return ledger.forRun(job(Database.requireText(commit, "commit")), run, PERIOD, limits);
    }

    /** What the whole run has spent so far, earlier runs in this database included. */
    public Money spent() {
        return ledger.repositoryPeriod(run, PERIOD).spent();
    }

    /** What the whole run holds now for steps in flight. */
    public Money held() {
        return ledger.repositoryPeriod(run, PERIOD).held();
    }

    /** Marks a case's job finished, so the ledger's report shows it done. */
    public void finished(String commit, boolean resolved) {
        database.transaction("finish the backtest job of " + commit, connection -> {
            try (PreparedStatement update = connection.prepareStatement("update jobs set status = ?,"
                    + " finished_at = now(), updated_at = now(), outcome = ? where delivery_id = ?")) {
                update.setString(1, resolved ? "succeeded" : "failed");
                update.setString(2, resolved ? "resolved" : "unresolved");
                update.setString(3, "backtest:" + commit);
                update.executeUpdate();
            }
            return null;
        });
    }

    private long job(String commit) {
        return database.transaction("record the backtest job of " + commit, connection -> {
            try (PreparedStatement insert = connection.prepareStatement("insert into jobs (kind, status, repository,"
                    + " delivery_id, payload) values ('solve', 'queued', ?, ?, jsonb_build_object('commit', ?::text))"
                    + " on conflict (delivery_id) do update set status = 'queued', finished_at = null"
                    + " returning id")) {
                insert.setString(1, run);
                insert.setString(2, "backtest:" + commit);
                insert.setString(3, commit);
                try (ResultSet rows = insert.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }
}
