package dev.patchwright.worker.queue;

import dev.patchwright.worker.db.Database;
import dev.patchwright.worker.db.QueueException;

import dev.patchwright.worker.solve.CandidateRecord;
import dev.patchwright.worker.solve.JobRecorder;
import dev.patchwright.worker.solve.SolveResult;
import dev.patchwright.worker.solve.StoredResult;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Writes a running job's steps to {@code job_events} and its candidates to {@code candidates}.
 * Read them back with {@link JobHistory}. Each call is its own transaction, so what a job did
 * stays recorded even when the job later crashes.
 *
 * <p>Both methods throw {@link QueueException} when the database fails, and
 * {@link IllegalArgumentException} when the job does not exist, a candidate's ordinal was
 * recorded already, or a candidate has no reason or an unknown status.
 */
public final class JdbcJobRecorder implements JobRecorder {

    private static final Set<String> STATUSES = Set.of("passed", "rejected", "error");

    private final DataSource dataSource;
    private final Database database;
    private final long jobId;
    private final int attempt;

    /** A recorder for the first attempt of job {@code jobId} in {@code dataSource}. */
    public JdbcJobRecorder(DataSource dataSource, long jobId) {
        this(dataSource, jobId, 1);
    }

    /**
     * A recorder for one attempt of a job: a retried job starts its candidates again at 1, and each
     * attempt's candidates stay on record beside the others'.
     */
    public JdbcJobRecorder(DataSource dataSource, long jobId, int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1, got " + attempt);
        }
        this.dataSource = dataSource;
        this.database = new Database(dataSource);
        this.jobId = jobId;
        this.attempt = attempt;
    }

    @Override
    public void event(String kind, String message) {
        Database.requireText(kind, "kind");
        if (message == null) {
            throw new IllegalArgumentException("message must not be null");
        }
        database.transaction("record an event of job " + jobId, connection -> {
            try {
                insertEvent(connection, jobId, kind, message);
            } catch (SQLException e) {
                throw explain(e, "event " + kind);
            }
            return null;
        });
    }

    @Override
    public void candidate(CandidateRecord candidate) {
        if (!STATUSES.contains(candidate.status())) {
            throw new IllegalArgumentException("candidate status must be passed, rejected or error, got '"
                    + candidate.status() + "'");
        }
        if (candidate.reason() == null) {
            throw new IllegalArgumentException("candidate " + candidate.ordinal() + " has no reason");
        }
        database.transaction("record candidate " + candidate.ordinal() + " of job " + jobId, connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "insert into candidates (job_id, attempt, ordinal, status, reason, failing_tests, diff, model,"
                            + " prompt_tokens, completion_tokens, test_output, elapsed_ms, answer, round, evidence)"
                            + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)")) {
                Array failing = connection.createArrayOf("text",
                        candidate.failingTests().stream().map(Database::storable).toArray());
                insert.setLong(1, jobId);
                insert.setInt(2, attempt);
                insert.setInt(3, candidate.ordinal());
                insert.setString(4, candidate.status());
                insert.setString(5, Database.storable(candidate.reason()));
                insert.setArray(6, failing);
                insert.setString(7, Database.storable(candidate.diff()));
                insert.setString(8, Database.storable(candidate.model()));
                insert.setLong(9, candidate.promptTokens());
                insert.setLong(10, candidate.completionTokens());
                insert.setString(11, Database.storable(candidate.testOutputTail()));
                insert.setLong(12, candidate.elapsedMillis());
                insert.setString(13, Database.storable(candidate.answer()));
                insert.setInt(14, candidate.round());
                insert.setString(15, EvidenceJson.write(candidate.evidence()));
                insert.executeUpdate();
                failing.free();
            } catch (SQLException e) {
                throw explain(e, "candidate " + candidate.ordinal());
            }
            return null;
        });
    }

    @Override
    public List<CandidateRecord> earlierCandidates() {
        return new JobHistory(dataSource).candidates(jobId, attempt);
    }

    @Override
    public void result(SolveResult result) {
        String json = StoredResult.toJson(result);
        database.transaction("keep the result of job " + jobId, connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "update jobs set result = ?::jsonb, updated_at = now() where id = ?")) {
                update.setString(1, json);
                update.setLong(2, jobId);
                update.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<SolveResult> storedResult() {
        String json = database.transaction("read the result of job " + jobId, connection -> {
            try (PreparedStatement query = connection.prepareStatement("select result::text from jobs where id = ?")) {
                query.setLong(1, jobId);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? rows.getString(1) : null;
                }
            }
        });
        return json == null ? Optional.empty() : Optional.of(StoredResult.fromJson(json));
    }

    /** Turns the constraint violations a caller can cause into errors that name them. */
    private SQLException explain(SQLException e, String what) {
        String state = e.getSQLState();
        if ("23503".equals(state)) {
            throw new IllegalArgumentException("cannot record " + what + ": no job " + jobId);
        }
        if (Database.isUniqueViolation(e)) {
            throw new IllegalArgumentException("cannot record " + what + ": job " + jobId + " has it already");
        }
        return e;
    }

    /** Appends one event to a job's history, inside the caller's transaction. */
    static void insertEvent(Connection connection, long jobId, String kind, String message)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into job_events (job_id, kind, message) values (?, ?, ?)")) {
            insert.setLong(1, jobId);
            insert.setString(2, kind);
            insert.setString(3, Database.storable(message));
            insert.executeUpdate();
        }
    }
}
