package dev.patchwright.worker.queue;

import dev.patchwright.worker.db.Database;
import dev.patchwright.worker.db.QueueException;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the jobs of each repository add up to, for the console's overview. Changes nothing. Every method throws
 * {@link QueueException} when the database fails.
 */
public final class JobStatistics {

    /**
     * One repository's jobs.
     *
     * @param queued         waiting now
     * @param running        running now
     * @param succeeded      finished as succeeded within the window
     * @param failed         finished as failed within the window
     * @param cancelled      finished as cancelled within the window
     * @param medianTimeToPr the median of created → finished over the window's succeeded solve jobs that opened a pull
     *                       request; null when there is none
     */
    public record RepositoryJobs(String repository, long queued, long running, long succeeded, long failed,
                                 long cancelled, Duration medianTimeToPr) {

        /**
         * Succeeded out of succeeded and failed, in percent (cancelled ones were stopped by people, not lost);
         * null before any finished.
         */
        public Integer successPercent() {
            long finished = succeeded + failed;
            return finished == 0 ? null : (int) Math.round(100.0 * succeeded / finished);
        }
    }

    private final Database database;

    /** Statistics over {@code dataSource}, which must hold the project's migrations. */
    public JobStatistics(DataSource dataSource) {
        this.database = new Database(dataSource);
    }

    /**
     * Every repository that has a job now queued or running, or one that finished within {@code window} (up to
     * now, database time), by name.
     */
    public List<RepositoryJobs> perRepository(Duration window) {
        long millis = Database.millis(window, "window");
        return database.transaction("add up jobs per repository", connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "select repository,"
                            + " count(*) filter (where status = 'queued') as queued,"
                            + " count(*) filter (where status = 'running') as running,"
                            + " count(*) filter (where status = 'succeeded' and recent) as succeeded,"
                            + " count(*) filter (where status = 'failed' and recent) as failed,"
                            + " count(*) filter (where status = 'cancelled' and recent) as cancelled,"
                            + " percentile_cont(0.5) within group (order by extract(epoch from finished_at - created_at))"
                            + "   filter (where status = 'succeeded' and recent and kind = 'solve' and result_url is not null) as median"
                            + " from (select *, finished_at >= now() - ? * interval '1 millisecond' as recent from jobs"
                            + "   where status in ('queued', 'running')"
                            + "   or finished_at >= now() - ? * interval '1 millisecond') as considered"
                            + " group by repository order by repository")) {
                query.setLong(1, millis);
                query.setLong(2, millis);
                List<RepositoryJobs> result = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        double median = rows.getDouble("median");
                        Duration time = rows.wasNull() ? null : Duration.ofMillis(Math.round(median * 1000));
                        result.add(new RepositoryJobs(rows.getString("repository"), rows.getLong("queued"),
                                rows.getLong("running"), rows.getLong("succeeded"), rows.getLong("failed"),
                                rows.getLong("cancelled"), time));
                    }
                }
                return result;
            }
        });
    }
}
