package dev.patchwright.worker.queue;

import dev.patchwright.worker.db.Database;
import dev.patchwright.worker.db.QueueException;

import dev.patchwright.worker.solve.CandidateRecord;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reads jobs, their events and their candidates back, for the dashboard, the REST API and
 * tests. Changes nothing. Every method throws {@link QueueException} when the database fails.
 */
public final class JobHistory {

    private static final String JOB_COLUMNS = "id, kind, status, repository, installation_id,"
            + " issue_number, delivery_id, attempts, max_attempts, run_after, lease_owner,"
            + " lease_expires_at, cancel_requested_at, created_at, updated_at, finished_at,"
            + " outcome, reason, result_url";

    private final Database database;

    /** A reader over {@code dataSource}, which must hold the project's migrations. */
    public JobHistory(DataSource dataSource) {
        this.database = new Database(dataSource);
    }

    /** The job with this id, or empty. */
    public Optional<JobView> job(long jobId) {
        List<JobView> found = jobs("select " + JOB_COLUMNS + " from jobs where id = ?", jobId);
        return found.stream().findFirst();
    }

    /**
     * The most recently created jobs, newest first.
     *
     * @param limit at most this many, at least 1
     */
    public List<JobView> recent(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        return jobs("select " + JOB_COLUMNS + " from jobs order by id desc limit ?", limit);
    }

    /**
     * The jobs {@code filter} lets through, newest first.
     *
     * @param limit at most this many, at least 1
     */
    public List<JobView> find(JobFilter filter, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        StringBuilder sql = new StringBuilder("select " + JOB_COLUMNS + " from jobs where true");
        List<Object> parameters = new ArrayList<>();
        if (filter.repository() != null) {
            sql.append(" and repository = ?");
            parameters.add(filter.repository());
        }
        if (filter.status() != null) {
            sql.append(" and status = ?");
            parameters.add(filter.status());
        }
        if (filter.createdOn() != null) {
            // A day in UTC, whatever the session's time zone: the console shows times in UTC.
            sql.append(" and created_at >= ?::date at time zone 'UTC' and created_at < (?::date + 1) at time zone 'UTC'");
            parameters.add(filter.createdOn().toString());
            parameters.add(filter.createdOn().toString());
        }
        sql.append(" order by id desc limit ?");
        parameters.add(limit);
        return database.transaction("find jobs", connection -> {
            try (PreparedStatement query = connection.prepareStatement(sql.toString())) {
                for (int i = 0; i < parameters.size(); i++) {
                    query.setObject(i + 1, parameters.get(i));
                }
                List<JobView> jobs = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        jobs.add(view(rows));
                    }
                }
                return jobs;
            }
        });
    }

    /** The payload a job was enqueued with (JSON), or empty for an unknown job. */
    public Optional<String> payload(long jobId) {
        return database.transaction("read the payload of job " + jobId, connection -> {
            try (PreparedStatement query = connection.prepareStatement("select payload::text from jobs where id = ?")) {
                query.setLong(1, jobId);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /** A job's events in the order they were written; empty for an unknown job. */
    public List<JobEvent> events(long jobId) {
        return database.transaction("read the events of job " + jobId, connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "select at, kind, message from job_events where job_id = ? order by id")) {
                query.setLong(1, jobId);
                List<JobEvent> events = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        events.add(new JobEvent(Database.getInstant(rows, "at"),
                                rows.getString("kind"), rows.getString("message")));
                    }
                }
                return events;
            }
        });
    }

    /** A job's candidates by attempt and ordinal; empty for an unknown job. Missing counts read as 0. */
    public List<CandidateRecord> candidates(long jobId) {
        return candidates(jobId, Integer.MAX_VALUE);
    }

    /** The candidates of a job's attempts before {@code attempt}, by attempt and ordinal. */
    public List<CandidateRecord> candidates(long jobId, int beforeAttempt) {
        return database.transaction("read the candidates of job " + jobId, connection -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "select ordinal, status, reason, failing_tests, diff, model, prompt_tokens,"
                            + " completion_tokens, test_output, elapsed_ms, answer, round, evidence"
                            + " from candidates where job_id = ? and attempt < ? order by attempt, ordinal")) {
                query.setLong(1, jobId);
                query.setInt(2, beforeAttempt);
                List<CandidateRecord> candidates = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        candidates.add(candidate(rows));
                    }
                }
                return candidates;
            }
        });
    }

    private static CandidateRecord candidate(ResultSet rows) throws SQLException {
        Array failing = rows.getArray("failing_tests");
        List<String> failingTests = Arrays.asList((String[]) failing.getArray());
        failing.free();
        return new CandidateRecord(rows.getInt("ordinal"), rows.getString("status"),
                rows.getString("reason"), failingTests, rows.getString("diff"),
                rows.getString("model"), rows.getLong("prompt_tokens"),
                rows.getLong("completion_tokens"), rows.getString("test_output"),
                rows.getLong("elapsed_ms"), rows.getString("answer"), rows.getInt("round"),
                EvidenceJson.read(rows.getString("evidence")));
    }

    private List<JobView> jobs(String sql, long parameter) {
        return database.transaction("read jobs", connection -> {
            try (PreparedStatement query = connection.prepareStatement(sql)) {
                query.setLong(1, parameter);
                List<JobView> jobs = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        jobs.add(view(rows));
                    }
                }
                return jobs;
            }
        });
    }

    private static JobView view(ResultSet rows) throws SQLException {
        return new JobView(
                rows.getLong("id"),
                rows.getString("kind"),
                rows.getString("status"),
                rows.getString("repository"),
                Database.getLong(rows, "installation_id"),
                Database.getInt(rows, "issue_number"),
                rows.getString("delivery_id"),
                rows.getInt("attempts"),
                rows.getInt("max_attempts"),
                Database.getInstant(rows, "run_after"),
                rows.getString("lease_owner"),
                Database.getInstant(rows, "lease_expires_at"),
                rows.getObject("cancel_requested_at") != null,
                Database.getInstant(rows, "created_at"),
                Database.getInstant(rows, "updated_at"),
                Database.getInstant(rows, "finished_at"),
                rows.getString("outcome"),
                rows.getString("reason"),
                rows.getString("result_url"));
    }
}
