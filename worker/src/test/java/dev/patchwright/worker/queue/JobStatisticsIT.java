package dev.patchwright.worker.queue;

import dev.patchwright.worker.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobStatisticsIT {

    private DataSource dataSource;
    private JobQueue queue;

    @BeforeEach
    void freshDatabase() {
        dataSource = TestDatabase.migrated();
        queue = new JobQueue(dataSource, Duration.ZERO, Duration.ZERO);
    }

    private long job(String repository, int issue) {
        return queue.enqueue(new NewJob("solve", repository, 1L, issue, null, "{}", 3)).orElseThrow();
    }

    /** Claims the oldest due job (of any repository) and ends it as told, having taken {@code minutes}. */
    private long finish(String how, int minutes) throws SQLException {
        ClaimedJob claimed = queue.claim("w", Duration.ofMinutes(5)).orElseThrow();
        switch (how) {
            case "pr" -> queue.succeed(claimed.id(), "w", "pull request opened", "https://github.test/o/r/pull/" + claimed.id());
            case "failed" -> queue.fail(claimed.id(), "w", "no candidate passed");
            default -> throw new IllegalArgumentException(how);
        }
        sql("update jobs set created_at = finished_at - interval '" + minutes + " minutes' where id = " + claimed.id());
        return claimed.id();
    }

    @Test
    void countsWhatRunsAndWaitsAndTheMedianTimeToAPullRequest() throws Exception {
        job("acme/calc", 1);
        finish("pr", 10);
        job("acme/calc", 2);
        finish("pr", 30);
        job("acme/calc", 3);
        finish("pr", 20);
        job("acme/calc", 4);
        finish("failed", 90);
        job("acme/calc", 5);
        queue.claim("w", Duration.ofMinutes(5)).orElseThrow();
        job("acme/calc", 6);
        job("zeta/web", 1);

        JobStatistics statistics = new JobStatistics(dataSource);
        assertThat(statistics.perRepository(Duration.ofDays(30))).containsExactly(
                new JobStatistics.RepositoryJobs("acme/calc", 1, 1, 3, 1, 0, Duration.ofMinutes(20)),
                new JobStatistics.RepositoryJobs("zeta/web", 1, 0, 0, 0, 0, null));
        assertThat(statistics.perRepository(Duration.ofDays(30)).get(0).successPercent()).isEqualTo(75);
        assertThat(statistics.perRepository(Duration.ofDays(30)).get(1).successPercent()).isNull();

        sql("update jobs set finished_at = finished_at - interval '40 days' where status in ('succeeded', 'failed')");
        assertThat(statistics.perRepository(Duration.ofDays(30))).first()
                .isEqualTo(new JobStatistics.RepositoryJobs("acme/calc", 1, 1, 0, 0, 0, null));
    }

    @Test
    void findsJobsByRepositoryStatusAndDay() throws Exception {
        long first = job("acme/calc", 1);
        finish("failed", 5);
        long second = job("acme/calc", 2);
        long other = job("zeta/web", 1);
        sql("update jobs set created_at = '2026-11-30 23:59:59+00' where id = " + first);
        JobHistory history = new JobHistory(dataSource);

        assertThat(history.find(JobFilter.ALL, 10)).extracting(JobView::id).containsExactly(other, second, first);
        assertThat(history.find(new JobFilter("acme/calc", null, null), 10)).extracting(JobView::id)
                .containsExactly(second, first);
        assertThat(history.find(new JobFilter("acme/calc", "queued", null), 10)).extracting(JobView::id)
                .containsExactly(second);
        assertThat(history.find(new JobFilter(null, null, LocalDate.of(2026, 11, 30)), 10)).extracting(JobView::id)
                .containsExactly(first);
        assertThat(history.find(new JobFilter(null, null, LocalDate.of(2026, 12, 1)), 10)).isEmpty();
        assertThat(history.find(new JobFilter(null, null, LocalDate.now(ZoneOffset.UTC)), 10)).extracting(JobView::id)
                .containsExactly(other, second);
        assertThat(history.find(JobFilter.ALL, 1)).hasSize(1);
        assertThat(history.payload(first)).contains("{}");
        assertThat(history.payload(9999)).isEmpty();
        assertThatThrownBy(() -> new JobFilter(null, "done", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("status must be one of").hasMessageContaining("'done'");
    }

    private void sql(String statement) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement s = connection.createStatement()) {
            s.execute(statement);
        }
    }
}
