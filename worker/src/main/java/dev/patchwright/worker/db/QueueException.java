package dev.patchwright.worker.db;

/**
 * The database under the queue failed: a connection could not be had, a statement failed, a
 * transaction could not commit. The cause is the driver's {@link java.sql.SQLException}.
 *
 * <p>Unchecked on purpose. Its callers are webhook handlers, worker loops, Quartz sweeps and
 * {@link dev.patchwright.worker.solve.JobRecorder} (an interface whose methods declare nothing),
 * and none of them can repair a database fault on the spot: they let the unit of work fail
 * and rely on the queue's own retry (a delivery stays {@code received}, a lease expires and the
 * reaper requeues the job). A checked exception would only be caught and rethrown at every
 * layer on the way there. Bad arguments are reported separately, as
 * {@link IllegalArgumentException} or {@link IllegalStateException}, before or instead of
 * this exception.
 */
public class QueueException extends RuntimeException {

    public QueueException(String message, Throwable cause) {
        super(message, cause);
    }

    public QueueException(String message) {
        super(message);
    }
}
