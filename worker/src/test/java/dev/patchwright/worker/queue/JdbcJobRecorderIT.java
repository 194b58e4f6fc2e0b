package dev.patchwright.worker.queue;

import dev.patchwright.worker.solve.CandidateRecord;
import dev.patchwright.worker.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
                "gpt-x", 120_000, 800, "Tests run: 9, Failures: 2", 41_500);
        CandidateRecord passed = new CandidateRecord(2, "passed", "all tests pass", List.of(),
                "diff --git a/F.java b/F.java\n", "gpt-x", 120_000, 760, null, 39_000);

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
        CandidateRecord first = new CandidateRecord(1, "error", "sandbox timed out", List.of(), null, "m", 0, 0, null, 1);
        recorder.candidate(first);

        assertThatThrownBy(() -> recorder.candidate(first))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("candidate 1").hasMessageContaining("already");
        assertThatThrownBy(() -> recorder.candidate(new CandidateRecord(2, "maybe", "r", List.of(), null, "m", 0, 0, null, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maybe");
        assertThatThrownBy(() -> new JdbcJobRecorder(dataSource, 9_999).event("fetch", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no job 9999");
        assertThat(new JobHistory(dataSource).candidates(jobId)).containsExactly(first);
    }

    @Test
    void aRetriedJobRecordsItsCandidatesBesideTheFirstAttempts() {
        CandidateRecord first = new CandidateRecord(1, "error", "sandbox failed", List.of(), null, "m", 10, 1, null, 5);
        CandidateRecord again = new CandidateRecord(1, "passed", "tests pass", List.of(), "diff", "m", 10, 2, null, 7);
        recorder.candidate(first);

        new JdbcJobRecorder(dataSource, jobId, 2).candidate(again);

        assertThat(new JobHistory(dataSource).candidates(jobId)).containsExactly(first, again);
    }
}
