package dev.patchwright.worker.queue;

import java.time.LocalDate;
import java.util.Set;

/**
 * Which jobs to list: each part narrows the list, null leaves it open.
 *
 * @param repository {@code owner/name}, exactly
 * @param status     one of {@link #STATUSES}
 * @param createdOn  the calendar day (UTC) the job was created
 */
public record JobFilter(String repository, String status, LocalDate createdOn) {

    /** The statuses a job can have. */
    public static final Set<String> STATUSES = Set.of("queued", "running", "succeeded", "failed", "cancelled");

    /** Every job. */
    public static final JobFilter ALL = new JobFilter(null, null, null);

    /** @throws IllegalArgumentException naming {@code status} when it is not a job status */
    public JobFilter {
        if (status != null && !STATUSES.contains(status)) {
            throw new IllegalArgumentException("status must be one of queued, running, succeeded, failed, cancelled;"
                    + " got '" + status + "'");
        }
    }
}
