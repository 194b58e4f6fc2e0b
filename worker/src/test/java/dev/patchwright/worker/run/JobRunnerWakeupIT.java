package dev.patchwright.worker.run;

import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.budget.BudgetLimits;
import dev.patchwright.worker.budget.Limits;
import dev.patchwright.worker.budget.SpendLedger;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.queue.NewJob;
import dev.patchwright.worker.solve.SolveFixture;
import dev.patchwright.worker.solve.SolveSettings;
import dev.patchwright.worker.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker is woken by the database's notice the moment a job is queued, not at its next poll; when the listening
 * connection is killed it polls meanwhile, and listens again once it has reconnected.
 */
class JobRunnerWakeupIT {

    private static final Duration POLL = Duration.ofSeconds(2);
    private static final AtomicInteger ISSUES = new AtomicInteger();

    @TempDir
    Path temp;

    @Test
    void aQueuedJobIsClaimedAtOnceAndPollingCoversADroppedListener() throws Exception {
        DataSource dataSource = TestDatabase.migrated();
        JobQueue queue = new JobQueue(dataSource);
        JobRunner node = runner(dataSource, queue);
        node.start();
        try {
            await(node::listening, "the node to listen", 10_000);
            for (int i = 0; i < 3; i++) {
                long job = enqueue(queue);
                await(() -> finished(dataSource, job), "job " + job + " to be run", 10_000);
                assertThat(claimDelayMillis(dataSource, job)).as("job %d claimed after a notice, poll is %s", job, POLL)
                        .isLessThan(300);
            }

            long killed = rows(dataSource, "select count(pg_terminate_backend(pid)) from pg_stat_activity"
                    + " where datname = current_database() and query ilike 'listen %'");
            assertThat(killed).as("the listening connection").isEqualTo(1);
            await(() -> !node.listening(), "the node to notice its listener is gone", 5_000);

            long polled = enqueue(queue);
            await(() -> finished(dataSource, polled), "the job queued while nobody listens", 10_000);
            assertThat(node.listening()).as("still polling when the job was taken (reconnect waits 3 polls)").isFalse();
            assertThat(claimDelayMillis(dataSource, polled)).as("claimed by polling").isLessThan(POLL.toMillis() + 1_000);

            await(node::listening, "the listener to reconnect", 15_000);
            long after = enqueue(queue);
            await(() -> finished(dataSource, after), "a job queued after reconnecting", 10_000);
            assertThat(claimDelayMillis(dataSource, after)).as("woken again by notices").isLessThan(300);
        } finally {
            node.stop();
        }
    }

    /** A job whose payload cannot be read: claimed, then failed at once, which is all this test needs. */
    private static long enqueue(JobQueue queue) {
        int issue = ISSUES.incrementAndGet();
        return queue.enqueue(new NewJob("solve", "acme/app-" + issue, 1L, issue, null, "{\"unreadable\": true}", 1))
                .orElseThrow();
    }

    private static boolean finished(DataSource dataSource, long job) {
        try {
            return rows(dataSource, "select count(*) from jobs where id = " + job + " and status = 'failed'") == 1;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long claimDelayMillis(DataSource dataSource, long job) throws Exception {
        return rows(dataSource, "select (extract(epoch from claimed_at - created_at) * 1000)::bigint from jobs where id = " + job);
    }

    private JobRunner runner(DataSource dataSource, JobQueue queue) throws Exception {
        Limits defaults = new Limits(Money.parse("50"), Money.parse("5"), Duration.ofHours(1), Money.parse("500"));
        CodeHost host = new CodeHost() {
            @Override
            public dev.patchwright.worker.git.GitCredentials credentials(SolveJobPayload payload) {
                return null;
            }

            @Override
            public dev.patchwright.worker.solve.Publisher publisher(SolveJobPayload payload) {
                throw new AssertionError("nothing is published in this test");
            }
        };
        return new JobRunner(new JobRunner.Parts(dataSource, queue, new SpendLedger(dataSource),
                new BudgetLimits(dataSource, defaults, defaults), new RepoMirror(temp.resolve("mirrors")),
                SolveFixture.sandbox(), SolveSettings.defaults(SolveFixture.work(temp)),
                JobModel.unusable("no model in this test"), host,
                new RunnerSettings("node-wake", 1, Duration.ofSeconds(30), POLL, Money.parse("0.05"),
                        Duration.ofMinutes(10))));
    }

    private static void await(BooleanSupplier condition, String what, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out after " + millis + " ms waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private static long rows(DataSource dataSource, String sql) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
