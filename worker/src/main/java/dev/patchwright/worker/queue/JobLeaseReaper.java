package dev.patchwright.worker.queue;

import dev.patchwright.worker.db.Database;

import java.sql.PreparedStatement;

/** Hands back running jobs whose lease expired; see {@link JobQueue#reapExpiredLeases()}. */
final class JobLeaseReaper {

    /*
     * One statement: lock the expired jobs (skipping any another reaper holds), decide each
     * one's fate, apply it, and write its event. The backoff is base * 2^(attempts - 1),
     * capped, in milliseconds.
     */
    private static final String REAP = """
            with expired as (
                select id, lease_owner, attempts, max_attempts,
                       case when cancel_requested_at is not null then 'cancelled'
                            when attempts >= max_attempts then 'failed'
                            else 'queued' end as next_status
                from jobs
                where status = 'running' and lease_expires_at < now()
                for update skip locked
            ), changed as (
                update jobs j set status = e.next_status,
                       run_after = case when e.next_status = 'queued'
                           then now() + least(?::float8 * power(2::float8, greatest(e.attempts - 1, 0)), ?::float8)
                                * interval '1 millisecond'
                           else j.run_after end,
                       reason = case e.next_status
                           when 'failed' then format('the lease of worker %s expired on attempt %s of %s;'
                                                     ' no attempts left', e.lease_owner, e.attempts, e.max_attempts)
                           when 'cancelled' then coalesce(j.reason, 'cancelled')
                           else j.reason end,
                       finished_at = case when e.next_status = 'queued' then null else now() end,
                       lease_owner = case when e.next_status = 'queued' then null else j.lease_owner end,
                       lease_expires_at = null, updated_at = now()
                from expired e where j.id = e.id
                returning j.id, j.status, j.run_after, e.lease_owner, e.attempts, e.max_attempts
            )
            insert into job_events (job_id, kind, message)
            select id, 'lease-expired', case status
                when 'queued' then format('the lease of worker %s expired on attempt %s of %s;'
                                          ' queued again to run after %s', lease_owner, attempts, max_attempts, run_after)
                when 'failed' then format('the lease of worker %s expired on attempt %s of %s;'
                                          ' failed, no attempts left', lease_owner, attempts, max_attempts)
                else format('the lease of worker %s expired after a cancel was requested; cancelled', lease_owner)
                end
            from changed
            """;

    private final Database database;

    JobLeaseReaper(Database database) {
        this.database = database;
    }

    int reap(long backoffMillis, long backoffCapMillis) {
        return database.transaction("reap expired job leases", connection -> {
            try (PreparedStatement reap = connection.prepareStatement(REAP)) {
                reap.setLong(1, backoffMillis);
                reap.setLong(2, backoffCapMillis);
                int reaped = reap.executeUpdate();
                if (reaped > 0) {
                    JobStatements.notifyWorkers(connection); // their repositories are free again
                }
                return reaped;
            }
        });
    }
}
