package dev.patchwright.worker.queue;

import dev.patchwright.worker.db.Database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/** The longer statements of {@link JobQueue}, each run inside the caller's transaction. */
final class JobStatements {

    /*
     * The claim. Among due queued jobs whose repository has no running job, take the one whose
     * installation was claimed from longest ago (never claimed first), then the oldest. SKIP
     * LOCKED lets concurrent claims pass over each other's rows instead of waiting. Two claims
     * may still pick different jobs of one repository from snapshots that do not see each
     * other; the unique index jobs_one_running_per_repository then fails the later one, which
     * JobQueue retries.
     */
    private static final String CLAIM = """
            with next as (
                select j.id from jobs j
                where j.status = 'queued' and j.run_after <= now()
                  and not exists (select 1 from jobs r where r.repository = j.repository and r.status = 'running')
                order by (select max(c.claimed_at) from jobs c
                          where coalesce(c.installation_id, 0) = coalesce(j.installation_id, 0)) asc nulls first,
                         j.run_after, j.id
                limit 1
                for update of j skip locked
            )
            update jobs set status = 'running', lease_owner = ?,
                   lease_expires_at = now() + ? * interval '1 millisecond',
                   claimed_at = now(), started_at = coalesce(started_at, now()), attempts = attempts + 1,
                   updated_at = now()
            from next where jobs.id = next.id
            returning jobs.id, jobs.kind, jobs.repository, jobs.installation_id, jobs.issue_number,
                      jobs.payload::text as payload, jobs.attempts, jobs.max_attempts, jobs.started_at
            """;

    private static final String RETRY = """
            update jobs j set status = s.next_status,
                   run_after = case when s.next_status = 'queued'
                                    then now() + ? * interval '1 millisecond' else j.run_after end,
                   reason = ?,
                   finished_at = case when s.next_status = 'queued' then null else now() end,
                   lease_owner = case when s.next_status = 'queued' then null else j.lease_owner end,
                   lease_expires_at = null, updated_at = now()
            from (select id, case when cancel_requested_at is not null then 'cancelled'
                                  when attempts >= max_attempts then 'failed'
                                  else 'queued' end as next_status
                  from jobs where id = ? and status = 'running' and lease_owner = ?
                  for update) s
            where j.id = s.id
            returning j.status
            """;

    private static final String CANCEL = """
            with target as (
                select id, status from jobs
                where repository = ? and issue_number = ? and status in ('queued', 'running')
                  and cancel_requested_at is null and (?::text is null or kind = ?::text)
                for update
            ), changed as (
                update jobs j set
                       status = case when t.status = 'queued' then 'cancelled' else j.status end,
                       cancel_requested_at = case when t.status = 'running' then now() end,
                       finished_at = case when t.status = 'queued' then now() else j.finished_at end,
                       reason = ?, updated_at = now()
                from target t where j.id = t.id
                returning j.id, t.status as previous
            )
            insert into job_events (job_id, kind, message)
            select id, case previous when 'queued' then 'cancelled' else 'cancel-requested' end, ?
            from changed
            """;

    private JobStatements() {
    }

    static Optional<Long> insertJob(Connection connection, NewJob job) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into jobs (kind, repository, installation_id, issue_number, delivery_id, payload,"
                        + " max_attempts) values (?, ?, ?, ?, ?, ?::jsonb, ?)"
                        + " on conflict do nothing returning id")) {
            insert.setString(1, job.kind());
            insert.setString(2, job.repository());
            Database.setLong(insert, 3, job.installationId());
            Database.setInt(insert, 4, job.issueNumber());
            insert.setString(5, job.deliveryId());
            insert.setString(6, job.payloadJson());
            insert.setInt(7, job.maxAttempts());
            try (ResultSet rows = insert.executeQuery()) {
                return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            if (Database.isInvalidText(e)) {
                throw new IllegalArgumentException("payload of the " + job.kind() + " job for "
                        + job.repository() + " is not valid JSON");
            }
            throw e;
        }
    }

    /** Notes that a repository got a job (and under which installation, when known). */
    /**
     * Wakes every node's idle workers once this transaction commits (PostgreSQL delivers a {@code NOTIFY} only
     * then, and only once per transaction); see {@link JobWakeups}.
     */
    static void notifyWorkers(Connection connection) throws SQLException {
        try (Statement notify = connection.createStatement()) {
            notify.execute("notify " + JobWakeups.CHANNEL);
        }
    }

    static void touchRepository(Connection connection, String repository, Long installationId)
            throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement(
                "insert into repositories (full_name, installation_id, last_job_at) values (?, ?, now())"
                        + " on conflict (full_name) do update set last_job_at = now(),"
                        + " installation_id = coalesce(excluded.installation_id, repositories.installation_id)")) {
            upsert.setString(1, repository);
            Database.setLong(upsert, 2, installationId);
            upsert.executeUpdate();
        }
    }

    static Optional<ClaimedJob> claimNext(Connection connection, String workerId, long leaseMillis)
            throws SQLException {
        ClaimedJob job;
        try (PreparedStatement claim = connection.prepareStatement(CLAIM)) {
            claim.setString(1, workerId);
            claim.setLong(2, leaseMillis);
            try (ResultSet rows = claim.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                job = new ClaimedJob(rows.getLong("id"), rows.getString("kind"), rows.getString("repository"),
                        Database.getLong(rows, "installation_id"), Database.getInt(rows, "issue_number"),
                        rows.getString("payload"), rows.getInt("attempts"), rows.getInt("max_attempts"),
                        Database.getInstant(rows, "started_at"));
            }
        }
        JdbcJobRecorder.insertEvent(connection, job.id(), "claimed",
                "attempt " + job.attempt() + " of " + job.maxAttempts() + " claimed by " + workerId);
        return Optional.of(job);
    }

    /** Applies a retry; returns the job's new status, or empty when the worker does not hold it. */
    static Optional<String> retry(Connection connection, long jobId, String workerId, long delayMillis,
                                  String reason) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(RETRY)) {
            update.setLong(1, delayMillis);
            update.setString(2, Database.storable(reason));
            update.setLong(3, jobId);
            update.setString(4, workerId);
            try (ResultSet rows = update.executeQuery()) {
                return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
        }
    }

    static int cancel(Connection connection, String repository, int issueNumber, String kind, String reason)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(CANCEL)) {
            update.setString(1, repository);
            update.setInt(2, issueNumber);
            update.setString(3, kind);
            update.setString(4, kind);
            update.setString(5, reason);
            update.setString(6, reason == null ? "cancelled" : reason);
            return update.executeUpdate();
        }
    }
}
