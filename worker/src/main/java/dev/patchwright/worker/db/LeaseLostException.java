package dev.patchwright.worker.db;

/**
 * A worker tried to finish or retry a job it no longer holds: its lease expired and the reaper
 * handed the job back (or another worker now runs it), or the job was never claimed by it.
 * Nothing was changed. The worker should stop working on the job.
 */
public final class LeaseLostException extends QueueException {

    private final long jobId;
    private final String workerId;

    public LeaseLostException(long jobId, String workerId) {
        super("job " + jobId + " is not running under worker " + workerId + " (its lease was lost)");
        this.jobId = jobId;
        this.workerId = workerId;
    }

    /** The job that was not held. */
    public long jobId() {
        return jobId;
    }

    /** The worker that no longer holds it. */
    public String workerId() {
        return workerId;
    }
}
