package dev.patchwright.worker.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.inference.model.ChatRequest;
import dev.patchwright.inference.model.Completion;
import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.model.Model;
import dev.patchwright.inference.model.Usage;
import dev.patchwright.inference.money.Money;
import dev.patchwright.inference.money.Price;
import dev.patchwright.worker.budget.BudgetLimits;
import dev.patchwright.worker.budget.Limits;
import dev.patchwright.worker.budget.SpendLedger;
import dev.patchwright.worker.git.GitCredentials;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.queue.JobEvent;
import dev.patchwright.worker.queue.JobHistory;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.queue.JobView;
import dev.patchwright.worker.queue.NewJob;
import dev.patchwright.worker.solve.PublishException;
import dev.patchwright.worker.solve.Publisher;
import dev.patchwright.worker.solve.SolveFixture;
import dev.patchwright.worker.solve.SolveRequest;
import dev.patchwright.worker.solve.SolveResult;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two worker nodes on one database, the first dying in the middle of a model call: its lease expires, the recovery
 * releases what it held, and the second node takes the job over without paying again for what is recorded.
 */
class JobRunnerRecoveryIT {

    private static final String WRONG = "app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 3\n>>>>>>> REPLACE\n";
    private static final String RIGHT = "app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n";
    private static final String CONFIG = "test: python3 -m unittest\ncandidates: 1\nrounds: 3\ntest-timeout: 60s\n";

    @TempDir
    Path temp;

    @Test
    void aNodeKilledMidCallHandsItsJobOverAndNothingIsPaidTwice() throws Exception {
        DataSource dataSource = TestDatabase.migrated();
        JobQueue queue = new JobQueue(dataSource, Duration.ZERO, Duration.ZERO);
        SpendLedger ledger = new SpendLedger(dataSource);
        long jobId = enqueue(queue);

        Scripted first = new Scripted(WRONG); // answers once, then hangs: the node dies mid-call
        Recording published = new Recording();
        JobRunner nodeA = runner(dataSource, queue, ledger, "node-a", first, published);
        nodeA.start();
        await(() -> first.calls.get() == 2, "node A's second model call");
        nodeA.stop(); // no more heartbeats: what a SIGKILL looks like from the database

        Thread.sleep(3_500);
        assertThat(queue.reapExpiredLeases()).isEqualTo(1);
        assertThat(ledger.releaseStopped()).as("node A's hold for the call in flight").isEqualTo(1);

        Scripted second = nodeBPublishes(dataSource, queue, ledger, published);

        assertThat(second.calls.get()).as("only the candidate not yet recorded is generated").isEqualTo(1);
        assertThat(second.prompts.get(0)).as("told why the recorded candidate failed").contains("Earlier candidates did not fix the issue", "## Candidate 1");
        assertThat(published.solutions).singleElement().satisfies(result -> {
            assertThat(result.winner().ordinal()).isEqualTo(2);
            assertThat(result.candidates()).extracting(c -> c.ordinal()).containsExactly(1, 2);
        });
        assertThat(rows(dataSource, "select count(*) from spend_ledger where job_id = " + jobId + " and kind = 'model'"))
                .as("one ledger entry per answered call: node A's first, node B's").isEqualTo(2);
        assertThat(rows(dataSource, "select count(*) from spend_reservations where status = 'released'")).isEqualTo(1);
        assertThat(rows(dataSource, "select spent_micros from spend_totals where scope = 'job' and key = '" + jobId + "'"))
                .isEqualTo(rows(dataSource, "select sum(amount_micros) from spend_ledger where job_id = " + jobId));
        assertThat(rows(dataSource, "select reserved_micros from spend_totals where scope = 'job' and key = '" + jobId + "'"))
                .isZero();
        assertThat(new JobHistory(dataSource).events(jobId)).extracting(JobEvent::kind)
                .contains("lease-expired", "resume", "succeeded");
        assertThat(queue.find(jobId).orElseThrow().status()).isEqualTo("succeeded");
    }

    @Test
    void aNodeShutDownMidCallHandsItsJobBackAtOnceAndTheNextNodeKeepsWhatWasPaid() throws Exception {
        DataSource dataSource = TestDatabase.migrated();
        JobQueue queue = new JobQueue(dataSource); // the default 30 s reap backoff: a hand-back must not wait for it
        SpendLedger ledger = new SpendLedger(dataSource);
        long jobId = enqueue(queue);

        Scripted first = new Scripted(WRONG); // answers once, then its second call outlasts the grace period
        Recording published = new Recording();
        JobRunner nodeA = runner(dataSource, queue, ledger, "node-a", first, published);
        nodeA.start();
        await(() -> first.calls.get() == 2, "node A's second model call");
        assertThat(nodeA.shutdown(Duration.ofSeconds(2))).as("jobs handed back").isEqualTo(1);

        assertThat(queue.find(jobId).orElseThrow().status()).as("back on the queue at once").isEqualTo("queued");
        assertThat(rows(dataSource, "select max_attempts - attempts from jobs where id = " + jobId))
                .as("the shutdown used up no attempt").isEqualTo(3);
        assertThat(new JobHistory(dataSource).events(jobId)).extracting(JobEvent::line)
                .anySatisfy(line -> assertThat(line).startsWith("handed-back: handed back by node-a"));

        Scripted second = nodeBPublishes(dataSource, queue, ledger, published);
        assertThat(second.calls.get()).as("node A's paid candidate is kept, not generated again").isEqualTo(1);
        assertThat(published.solutions).singleElement()
                .satisfies(result -> assertThat(result.candidates()).extracting(c -> c.ordinal()).containsExactly(1, 2));
        assertThat(rows(dataSource, "select count(*) from spend_ledger where job_id = " + jobId + " and kind = 'model'"))
                .as("one ledger entry per answered call").isEqualTo(2);
        assertThat(rows(dataSource, "select reserved_micros from spend_totals where scope = 'job' and key = '" + jobId + "'"))
                .as("node A's hold for the abandoned call released").isZero();
    }

    @Test
    void aJobWhoseOnlyFailureWasPublishingPublishesAgainWithoutSolvingAgain() throws Exception {
        DataSource dataSource = TestDatabase.migrated();
        JobQueue queue = new JobQueue(dataSource, Duration.ZERO, Duration.ZERO);
        SpendLedger ledger = new SpendLedger(dataSource);
        long jobId = enqueue(queue);
        Scripted model = new Scripted(RIGHT);
        Recording published = new Recording();
        published.failuresLeft.set(1); // GitHub answers 502 to the first pull request

        JobRunner node = runner(dataSource, queue, ledger, "node-a", model, published);
        node.start();
        try {
            await(() -> published.attempts.get() == 1, "the first, failing, publication");
            await(() -> "queued".equals(queue.find(jobId).orElseThrow().status()), "the retry");
            execute(dataSource, "update jobs set run_after = now() where id = " + jobId); // skip the minute's backoff
            node.wake();
            await(() -> !published.solutions.isEmpty(), "the second publication");
        } finally {
            node.stop();
        }

        assertThat(model.calls.get()).as("the model is not asked again").isEqualTo(1);
        assertThat(published.solutions).singleElement().satisfies(result -> {
            assertThat(result.winner().ordinal()).isEqualTo(1);
            assertThat(result.patchCommit()).as("rebuilt from the recorded answer").isNotNull();
            assertThat(result.baseline()).as("the evidence kept").isNotNull();
        });
        assertThat(rows(dataSource, "select count(*) from spend_ledger where job_id = " + jobId + " and kind = 'model'"))
                .isEqualTo(1);
        assertThat(rows(dataSource, "select count(*) from spend_ledger where job_id = " + jobId + " and kind = 'sandbox'"))
                .as("baseline and one test run, not run again").isEqualTo(2);
        assertThat(new JobHistory(dataSource).events(jobId)).extracting(JobEvent::message)
                .anySatisfy(m -> assertThat(m).contains("only publishing it again"));
    }

    @Test
    void aJobHungOutsideEveryOtherLimitIsStoppedByTheWatchdogAndItsLeaseLetGo() throws Exception {
        DataSource dataSource = TestDatabase.migrated();
        JobQueue queue = new JobQueue(dataSource, Duration.ZERO, Duration.ZERO);
        long jobId = enqueue(queue);
        CountDownLatch release = new CountDownLatch(1);
        // Posting the quote hangs and ignores interrupts, as an open() of a FIFO would: no sandbox limit covers it.
        Recording published = new Recording() {
            @Override
            public void reportProgress(SolveRequest request, String markdown) {
                while (true) {
                    try {
                        release.await();
                        return;
                    } catch (InterruptedException e) {
                        // ignored, as a blocked system call ignores it
                    }
                }
            }
        };
        Limits limits = new Limits(Money.parse("50"), Money.parse("5"), Duration.ofSeconds(1), Money.parse("500"));
        SolveSettings settings = new SolveSettings(SolveFixture.work(temp).resolve("work"),
                SolveFixture.work(temp).resolve("cache"), 1, 1, 8192, 0.7, 4L << 30, 256 * 1024, false,
                Duration.ofSeconds(5));
        JobRunner node = new JobRunner(new JobRunner.Parts(dataSource, queue, new SpendLedger(dataSource),
                new BudgetLimits(dataSource, limits, limits), new RepoMirror(temp.resolve("mirrors")),
                SolveFixture.sandbox(), settings, JobModel.of(new Scripted(RIGHT), Price.parse("input=2,output=8")),
                host(published), new RunnerSettings("node-a", 1, Duration.ofSeconds(3), Duration.ofMillis(100),
                Money.parse("0.05"), Duration.ofSeconds(5))));
        long start = System.nanoTime();
        node.start();
        try {
            await(() -> "failed".equals(queue.find(jobId).orElseThrow().status()), "the watchdog");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            JobView failed = queue.find(jobId).orElseThrow();
            assertThat(failed.reason()).startsWith("the job was still running 8 s after its time limit (")
                    .endsWith("and was stopped by the watchdog: a step hung outside every sandbox and model time limit");
            assertThat(took).as("1 s limit + 8 s grace + a heartbeat").isLessThan(Duration.ofSeconds(40));
            Thread.sleep(2_000);
            assertThat(queue.find(jobId).orElseThrow().leaseExpiresAt()).as("the lease is not renewed any more")
                    .isEqualTo(failed.leaseExpiresAt());
            assertThat(new JobHistory(dataSource).events(jobId)).extracting(JobEvent::message)
                    .anySatisfy(m -> assertThat(m).contains("stopped by the watchdog"));
        } finally {
            release.countDown();
            node.stop();
        }
    }

    private static CodeHost host(Publisher published) {
        return new CodeHost() {
            @Override
            public GitCredentials credentials(SolveJobPayload payload) {
                return null;
            }

            @Override
            public Publisher publisher(SolveJobPayload payload) {
                return published;
            }
        };
    }

    /** A second node, whose model answers right, takes the job and runs until it opens its pull request. */
    private Scripted nodeBPublishes(DataSource dataSource, JobQueue queue, SpendLedger ledger, Recording published)
            throws Exception {
        Scripted second = new Scripted(RIGHT);
        JobRunner nodeB = runner(dataSource, queue, ledger, "node-b", second, published);
        nodeB.start();
        try {
            await(() -> !published.solutions.isEmpty(), "node B's pull request");
        } finally {
            nodeB.stop();
        }
        return second;
    }

    /** A solve job for a repository whose test wants x to be 2. */
    private long enqueue(JobQueue queue) throws Exception {
        Path repo = SolveFixture.repository(temp, Map.of("app.py", "x = 1\n", "test_app.py", """
                import unittest, app
                class AppTest(unittest.TestCase):
                    def test_x(self):
                        self.assertEqual(app.x, 2)
                """, ".github/patchwright.yml", CONFIG));
        SolveJobPayload payload = new SolveJobPayload(1, "acme/app", repo.toUri().toString(), "main", 1,
                "x should be 2", "Make x 2.", "maintainer", CONFIG);
        return queue.enqueue(new NewJob("solve", "acme/app", 1L, 1, null,
                new ObjectMapper().writeValueAsString(payload), 3)).orElseThrow();
    }

    private JobRunner runner(DataSource dataSource, JobQueue queue, SpendLedger ledger, String id, Model model,
                             Recording published) throws Exception {
        Limits defaults = new Limits(Money.parse("50"), Money.parse("5"), Duration.ofHours(1), Money.parse("500"));
        SolveSettings settings = SolveSettings.defaults(SolveFixture.work(temp));
        CodeHost host = new CodeHost() {
            @Override
            public GitCredentials credentials(SolveJobPayload payload) {
                return null; // a local repository needs none
            }

            @Override
            public Publisher publisher(SolveJobPayload payload) {
                return published;
            }
        };
        return new JobRunner(new JobRunner.Parts(dataSource, queue, ledger, new BudgetLimits(dataSource, defaults,
                defaults), new RepoMirror(temp.resolve("mirrors-" + id)), SolveFixture.sandbox(), settings,
                JobModel.of(model, Price.parse("input=2,output=8")), host,
                new RunnerSettings(id, 1, Duration.ofSeconds(3), Duration.ofMillis(100), Money.parse("0.05"),
                        Duration.ofMinutes(10))));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static void execute(DataSource dataSource, String sql) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static long rows(DataSource dataSource, String sql) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** Answers once, then hangs the next call, as a node that dies in the middle of it. */
    private static final class Scripted implements Model {
        final List<String> answers;
        final AtomicInteger calls = new AtomicInteger();
        final List<String> prompts = new CopyOnWriteArrayList<>();

        /** Answers {@code answer} once, then hangs. */
        Scripted(String answer) {
            this.answers = new ArrayList<>();
            this.answers.add(answer);
        }

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public Completion complete(ChatRequest request) throws InferenceException {
            int call = calls.incrementAndGet();
            prompts.add(request.messages().get(request.messages().size() - 1).content());
            String answer = call <= answers.size() ? answers.get(call - 1) : null;
            if (answer == null) {
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new InferenceException("interrupted", true, null);
            }
            return new Completion("scripted", List.of(answer), new Usage(1_000, 0, 200));
        }
    }

    /** A publisher that keeps what it was given, and fails as often as told to first. */
    private static class Recording implements Publisher {
        final List<SolveResult> solutions = new CopyOnWriteArrayList<>();
        final List<SolveResult> failures = new CopyOnWriteArrayList<>();
        final AtomicInteger failuresLeft = new AtomicInteger();
        final AtomicInteger attempts = new AtomicInteger();

        @Override
        public String publishSolution(SolveRequest request, SolveResult result) throws PublishException {
            attempts.incrementAndGet();
            if (failuresLeft.getAndDecrement() > 0) {
                throw new PublishException("opening the pull request failed: 502 Bad Gateway", true, null);
            }
            solutions.add(result);
            return "https://example.com/pull/1";
        }

        @Override
        public String reportFailure(SolveRequest request, SolveResult result) {
            failures.add(result);
            return "https://example.com/issues/1";
        }
    }
}
