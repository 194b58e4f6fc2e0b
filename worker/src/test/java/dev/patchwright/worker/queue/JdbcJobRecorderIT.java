package dev.patchwright.worker.queue;

import dev.patchwright.worker.solve.CandidateRecord;
import dev.patchwright.worker.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.eclipse.jgit.lib.ObjectId;
import dev.patchwright.inference.model.Usage;
import dev.patchwright.worker.solve.SolveResult;
import java.time.Duration;

import javax.sql.DataSource;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JdbcJobRecorderIT {

    private DataSource dataSource;
    private long jobId;
    private JdbcJobRecorder recorder;

    @BeforeEach
    void aJob() {
        dataSource = TestDatabase.migrated();
        jobId = new JobQueue(dataSource).enqueue(JobQueueIT.solve("o/r", 1, 1, null)).orElseThrow();
        recorder = new JdbcJobRecorder(dataSource, jobId);
    }

    @Test
    void writesEventsAndCandidatesAndReadsThemBack() {
        CandidateRecord rejected = new CandidateRecord(1, "rejected", "2 tests failed",
                List.of("FooTest.parsesDates", "BarTest.roundTrips[1]"), "--- a/F.java\n+++ b/F.java\n",
                "gpt-x", 120_000, 800, "Tests run: 9, Failures: 2", 41_500,
                "F.java\n<<<<<<< SEARCH\nold\n=======\nnew\n>>>>>>> REPLACE\n");
        CandidateRecord passed = new CandidateRecord(2, "passed", "all tests pass", List.of(),
                "diff --git a/F.java b/F.java\n", "gpt-x", 120_000, 760, null, 39_000, null);

        recorder.event("fetch", "fetched octo/repo at 1a2b3c");
        recorder.candidate(rejected);
        recorder.candidate(passed);
        recorder.event("verify", "candidate 2 passed");

        JobHistory history = new JobHistory(dataSource);
        assertThat(history.candidates(jobId)).containsExactly(rejected, passed);
        assertThat(history.events(jobId)).extracting(JobEvent::line).containsExactly(
                "queued: queued solve for o/r#1", "fetch: fetched octo/repo at 1a2b3c", "verify: candidate 2 passed");
        assertThat(history.candidates(jobId + 1)).isEmpty();
    }

    @Test
    void refusesWhatTheTablesWouldRefuseWithErrorsThatNameIt() {
        CandidateRecord first = new CandidateRecord(1, "error", "sandbox timed out", List.of(), null, "m", 0, 0, null, 1, null);
        recorder.candidate(first);

        assertThatThrownBy(() -> recorder.candidate(first))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("candidate 1").hasMessageContaining("already");
        assertThatThrownBy(() -> recorder.candidate(new CandidateRecord(2, "maybe", "r", List.of(), null, "m", 0, 0, null, 1, null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maybe");
        assertThatThrownBy(() -> new JdbcJobRecorder(dataSource, 9_999).event("fetch", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no job 9999");
        assertThat(new JobHistory(dataSource).candidates(jobId)).containsExactly(first);
    }

    @Test
    void aRetriedJobRecordsItsCandidatesBesideTheFirstAttempts() {
        CandidateRecord first = new CandidateRecord(1, "error", "sandbox failed", List.of(), null, "m", 10, 1, null, 5, null);
        CandidateRecord again = new CandidateRecord(1, "passed", "tests pass", List.of(), "diff", "m", 10, 2, null, 7, null);
        recorder.candidate(first);

        new JdbcJobRecorder(dataSource, jobId, 2).candidate(again);

        assertThat(new JobHistory(dataSource).candidates(jobId)).containsExactly(first, again);
    }

    @Test
    void aFinishedSolveIsKeptWholeForAnAttemptThatOnlyHasToPublishIt() {
        CandidateRecord passed = new CandidateRecord(1, "passed", "tests pass", List.of(), "diff --git a/x b/x\n", "m",
                10, 2, "OK", 7, "x\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n");
        SolveResult result = new SolveResult(SolveResult.Outcome.SOLVED, "candidate 1 passed the tests", "main",
                ObjectId.fromString("0123456789abcdef0123456789abcdef01234567"), "make test",
                new SolveResult.StepRun("make deps", "exit code 0 after 1 s", true, List.of(), "ok", Duration.ofSeconds(1)),
                new SolveResult.StepRun("make test", "exit code 1 after 2 s", false, List.of("t1"), "F", Duration.ofSeconds(2)),
                List.of(passed), passed, ObjectId.fromString("89abcdef0123456789abcdef0123456789abcdef"),
                new Usage(10, 4, 2), Duration.ofSeconds(30),
                new SolveResult.Spend("$0.42", "$5.00", "$49.58", "$50.00", "**Quote:** ..."));
        assertThat(new JdbcJobRecorder(dataSource, jobId, 2).storedResult()).isEmpty();

        recorder.result(result);

        SolveResult stored = new JdbcJobRecorder(dataSource, jobId, 2).storedResult().orElseThrow();
        assertThat(stored).usingRecursiveComparison().ignoringFields("patchCommit").isEqualTo(result);
        assertThat(stored.patchCommit()).as("rebuilt by the node that publishes").isNull();
        assertThat(new JdbcJobRecorder(dataSource, jobId, 2).earlierCandidates()).isEmpty();
        recorder.candidate(passed);
        assertThat(new JdbcJobRecorder(dataSource, jobId, 2).earlierCandidates()).containsExactly(passed);
        assertThat(recorder.earlierCandidates()).isEmpty();
    }

    @Test
    void garbageWithNulCharactersFromAModelIsKeptNotLost() {
        CandidateRecord garbage = new CandidateRecord(1, "rejected", "no usable edits in \u0000\u0001", List.of("t\u0000"),
                null, "m", 10, 2, "out\u0000put", 7, "x\u0000y");
        recorder.candidate(garbage);
        recorder.event("verify", "said \u0000");
        recorder.result(new SolveResult(SolveResult.Outcome.NO_PASSING_CANDIDATE, "none \u0000", "main", null, "t",
                null, null, List.of(garbage), null, null, Usage.ZERO, Duration.ZERO, null));

        CandidateRecord stored = new JobHistory(dataSource).candidates(jobId).get(0);
        assertThat(stored.answer()).isEqualTo("x\uFFFDy");
        assertThat(stored.reason()).isEqualTo("no usable edits in \uFFFD\u0001");
        assertThat(stored.failingTests()).containsExactly("t\uFFFD");
        assertThat(new JdbcJobRecorder(dataSource, jobId, 2).storedResult().orElseThrow().reason()).isEqualTo("none \uFFFD");
        assertThat(new JobHistory(dataSource).events(jobId)).extracting(JobEvent::message).contains("said \uFFFD");
    }
}
