package dev.patchwright.worker.queue;

import dev.patchwright.worker.db.Database;
import dev.patchwright.worker.db.QueueException;
import dev.patchwright.worker.db.LeaseLostException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The job queue: rows in {@code jobs}, claimed under a lease that the running worker renews,
 * handed back by {@link #reapExpiredLeases()} when a worker disappears.
 *
 * <p>Rules the database enforces, so they hold across any number of nodes: one queued or running
 * job per (repository, issue, kind); one job per webhook delivery; at most one running job per
 * repository. The claim is fair across installations: it serves the installation whose last
 * claim is oldest first, then the oldest due job.
 *
 * <p>Every state change writes a {@code job_events} row in the same transaction (lease renewals,
 * which change no state, do not). All times are the database's {@code now()}, so worker clocks
 * never need to agree. Every method throws {@link QueueException} when the database fails.
 */
public final class JobQueue {

    /** Default first backoff after an expired lease; it doubles with each attempt. */
    public static final Duration DEFAULT_REAP_BACKOFF = Duration.ofSeconds(30);
    /** Default longest backoff after an expired lease. */
    public static final Duration DEFAULT_REAP_BACKOFF_CAP = Duration.ofMinutes(15);

    /** A claim that loses a race for a repository retries this often before giving up. */
    private static final int CLAIM_TRIES = 10;

    private final Database database;
    private final JobHistory history;
    private final long reapBackoffMillis;
    private final long reapBackoffCapMillis;
    private final JobLeaseReaper reaper;

    /** A queue over {@code dataSource} with the default reap backoff. */
    public JobQueue(DataSource dataSource) {
        this(dataSource, DEFAULT_REAP_BACKOFF, DEFAULT_REAP_BACKOFF_CAP);
    }

    /**
     * A queue over {@code dataSource}, which must hold the project's migrations.
     *
     * @param reapBackoff    how long a job whose lease expired waits before its next attempt,
     *                       doubled for every attempt it already had
     * @param reapBackoffCap the longest such wait
     */
    public JobQueue(DataSource dataSource, Duration reapBackoff, Duration reapBackoffCap) {
        this.database = new Database(dataSource);
        this.history = new JobHistory(dataSource);
        this.reapBackoffMillis = Database.millis(reapBackoff, "reapBackoff");
        this.reapBackoffCapMillis = Database.millis(reapBackoffCap, "reapBackoffCap");
        this.reaper = new JobLeaseReaper(database);
    }

    /**
     * Puts a job on the queue, ready to run now.
     *
     * @return the new job's id, or empty (and nothing changed) when a queued or running job
     *         for the same repository, issue and kind exists, or the delivery made a job already
     * @throws IllegalArgumentException when the payload is not JSON
     */
    public Optional<Long> enqueue(NewJob job) {
        Objects.requireNonNull(job, "job");
        return database.transaction("enqueue a " + job.kind() + " job for " + job.repository(), connection -> {
            Optional<Long> id = JobStatements.insertJob(connection, job);
            if (id.isPresent()) {
                JdbcJobRecorder.insertEvent(connection, id.get(), "queued", "queued " + job.kind()
                        + " for " + job.repository() + (job.issueNumber() == null ? "" : "#" + job.issueNumber()));
                JobStatements.touchRepository(connection, job.repository(), job.installationId());
                JobStatements.notifyWorkers(connection);
            }
            return id;
        });
    }

    /**
     * Claims the next job for {@code workerId}: a due queued job in a repository that has no
     * running job, from the installation served longest ago, oldest first. The job becomes
     * running, held by {@code workerId} until now + {@code lease}, with one more attempt.
     *
     * @return the claimed job, or empty when none is claimable now (or, rarely, when this claim
     *         lost the race for a repository to other claims ten times in a row; poll again)
     * @throws IllegalArgumentException when {@code workerId} is blank or {@code lease} is not positive
     */
    public Optional<ClaimedJob> claim(String workerId, Duration lease) {
        Database.requireText(workerId, "workerId");
        long leaseMillis = positiveMillis(lease, "lease");
        for (int tries = 1; ; tries++) {
            try {
                return database.transaction("claim a job", connection ->
                        JobStatements.claimNext(connection, workerId, leaseMillis));
            } catch (QueueException e) {
                // Two claims raced for jobs of one repository; the loser's next statement sees
                // the winner's running job and picks another repository.
                boolean lostRace = e.getCause() instanceof SQLException cause && Database.isUniqueViolation(cause);
                if (!lostRace) {
                    throw e;
                }
                if (tries == CLAIM_TRIES) {
                    return Optional.empty();
                }
            }
        }
    }

    /**
     * Extends the lease of a job {@code workerId} runs to now + {@code lease}.
     *
     * @return false when the worker no longer holds the job (its lease was reaped); it should stop
     */
    public boolean renew(long jobId, String workerId, Duration lease) {
        Database.requireText(workerId, "workerId");
        long leaseMillis = positiveMillis(lease, "lease");
        return database.transaction("renew the lease of job " + jobId, connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "update jobs set lease_expires_at = now() + ? * interval '1 millisecond', updated_at = now()"
                            + " where id = ? and status = 'running' and lease_owner = ?")) {
                update.setLong(1, leaseMillis);
                update.setLong(2, jobId);
                update.setString(3, workerId);
                return update.executeUpdate() == 1;
            }
        });
    }

    /**
     * Ends a job {@code workerId} runs as succeeded.
     *
     * @param outcome   what it achieved, for people
     * @param resultUrl the pull request or comment it produced, or null
     * @throws LeaseLostException when the worker no longer holds the job
     */
    public void succeed(long jobId, String workerId, String outcome, String resultUrl) {
        finish(jobId, workerId, "succeeded", "outcome = ?, result_url = ?", outcome, resultUrl);
    }

    /**
     * Ends a job {@code workerId} runs as failed, for good.
     *
     * @param reason why, in words the issue's author can act on
     * @throws LeaseLostException when the worker no longer holds the job
     */
    public void fail(long jobId, String workerId, String reason) {
        finish(jobId, workerId, "failed", "reason = ?", reason);
    }

    /**
     * Ends a job {@code workerId} stopped because {@link #isCancelled} said so.
     *
     * @throws LeaseLostException when the worker no longer holds the job
     */
    public void finishCancelled(long jobId, String workerId) {
        finish(jobId, workerId, "cancelled", "reason = coalesce(reason, 'cancelled')");
    }

    /**
     * Hands a job {@code workerId} runs back to the queue, to be claimed no sooner than
     * now + {@code delay}. When its attempts are used up it fails instead, with {@code reason};
     * when a cancel was requested it is cancelled.
     *
     * @throws LeaseLostException when the worker no longer holds the job
     */
    public void retryLater(long jobId, String workerId, Duration delay, String reason) {
        Database.requireText(workerId, "workerId");
        long delayMillis = Database.millis(delay, "delay");
        database.transaction("retry job " + jobId, connection -> {
            String status = JobStatements.retry(connection, jobId, workerId, delayMillis, reason)
                    .orElseThrow(() -> new LeaseLostException(jobId, workerId));
            String message = switch (status) {
                case "queued" -> "queued again to run in " + delayMillis + " ms: " + reason;
                case "failed" -> "failed, no attempts left: " + reason;
                default -> "cancelled instead of retried: " + reason;
            };
            JdbcJobRecorder.insertEvent(connection, jobId, status.equals("queued") ? "retry" : status, message);
            JobStatements.notifyWorkers(connection); // the repository is free for its other jobs
            return null;
        });
    }

    /**
     * Hands a job {@code workerId} runs back to the queue at once because this node is shutting down: it did not
     * fail, so the attempt it used is given back (the next attempt gets a number of its own, and what this one
     * recorded, its paid candidates, is kept for it).
     *
     * @throws LeaseLostException when the worker no longer holds the job
     */
    public void handBack(long jobId, String workerId, String reason) {
        Database.requireText(workerId, "workerId");
        database.transaction("hand job " + jobId + " back", connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "update jobs set max_attempts = max_attempts + 1"
                            + " where id = ? and status = 'running' and lease_owner = ?")) {
                update.setLong(1, jobId);
                update.setString(2, workerId);
                if (update.executeUpdate() == 0) {
                    throw new LeaseLostException(jobId, workerId);
                }
            }
            String status = JobStatements.retry(connection, jobId, workerId, 0, reason)
                    .orElseThrow(() -> new LeaseLostException(jobId, workerId));
            JdbcJobRecorder.insertEvent(connection, jobId, status.equals("queued") ? "handed-back" : status,
                    (status.equals("queued") ? "handed back by " + workerId + ": " : "") + reason);
            JobStatements.notifyWorkers(connection);
            return null;
        });
    }

    /**
     * Hands back every running job whose lease expired: it is queued again after a backoff
     * that doubles with each attempt, failed when its attempts are used up, or cancelled when a
     * cancel was requested. Safe to run on many nodes at once.
     *
     * @return how many jobs were handed back
     */
    public int reapExpiredLeases() {
        return reaper.reap(reapBackoffMillis, reapBackoffCapMillis);
    }

    /**
     * How long until the next queued job that is not yet due becomes due, or empty when there is none: how long
     * an idle worker that is woken by notices may wait, since a due time passing sends none.
     */
    public Optional<Duration> untilNextDue() {
        return database.transaction("find the next due job", connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "select ceil(extract(epoch from min(run_after) - now()) * 1000)::bigint from jobs"
                            + " where status = 'queued' and run_after > now()");
                 ResultSet rows = query.executeQuery()) {
                rows.next();
                long millis = rows.getLong(1);
                return rows.wasNull() ? Optional.<Duration>empty() : Optional.of(Duration.ofMillis(Math.max(1, millis)));
            }
        });
    }

    /**
     * Cancels the queued and running jobs of one issue or pull request: queued ones end as
     * cancelled at once; running ones are marked, and their runner sees {@link #isCancelled}.
     *
     * @return how many jobs were cancelled or marked
     */
    public int cancel(String repository, int issueNumber, String reason) {
        return cancel(repository, issueNumber, null, reason);
    }

    /**
     * Cancels, as {@link #cancel(String, int, String)} does, only the jobs of one kind ({@code solve} or
     * {@code revise}); every kind when {@code kind} is null.
     *
     * @param reason why, in words that finish "stopped working on this issue: ..."
     * @return how many jobs were cancelled or marked
     */
    public int cancel(String repository, int issueNumber, String kind, String reason) {
        Database.requireText(repository, "repository");
        return database.transaction("cancel jobs of " + repository + "#" + issueNumber, connection ->
                JobStatements.cancel(connection, repository, issueNumber, kind, reason));
    }

    /** Whether the runner of this job should stop: it was cancelled, or it no longer exists. */
    public boolean isCancelled(long jobId) {
        return database.transaction("check job " + jobId + " for cancellation", connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "select status = 'cancelled' or cancel_requested_at is not null from jobs where id = ?")) {
                query.setLong(1, jobId);
                try (ResultSet rows = query.executeQuery()) {
                    return !rows.next() || rows.getBoolean(1);
                }
            }
        });
    }

    /** The job with this id, or empty. */
    public Optional<JobView> find(long jobId) {
        return history.job(jobId);
    }

    /** The most recently created jobs, newest first; {@code limit} at least 1. */
    public List<JobView> recent(int limit) {
        return history.recent(limit);
    }

    private void finish(long jobId, String workerId, String status, String assignments, String... values) {
        Database.requireText(workerId, "workerId");
        database.transaction("mark job " + jobId + " " + status, connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "update jobs set status = ?, " + assignments + ", finished_at = now(), updated_at = now(),"
                            + " lease_expires_at = null where id = ? and status = 'running' and lease_owner = ?")) {
                int index = 1;
                update.setString(index++, status);
                for (String value : values) {
                    update.setString(index++, Database.storable(value));
                }
                update.setLong(index++, jobId);
                update.setString(index, workerId);
                if (update.executeUpdate() == 0) {
                    throw new LeaseLostException(jobId, workerId);
                }
            }
            String detail = values.length == 0 || values[0] == null
                    ? "by " + workerId : values[0] + " (" + workerId + ")";
            JdbcJobRecorder.insertEvent(connection, jobId, status, detail);
            JobStatements.notifyWorkers(connection); // the repository is free for its other jobs
            return null;
        });
    }

    private static long positiveMillis(Duration duration, String name) {
        long millis = Database.millis(duration, name);
        if (millis == 0) {
            throw new IllegalArgumentException(name + " must be at least 1 ms, got " + duration);
        }
        return millis;
    }
}
