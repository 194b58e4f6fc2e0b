package dev.patchwright.worker.queue;

import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Records webhook deliveries durably in groups: each caller waits while one transaction stores its delivery together
 * with every other that arrived meanwhile, so one commit, one flush of PostgreSQL's write-ahead log to disk, answers
 * them all. With {@code fsync} and {@code synchronous_commit} on, a commit costs a disk flush; one per delivery caps
 * the intake at what the disk flushes per second, one per group lets it grow with the load. Nothing is answered before
 * its commit returned.
 *
 * <p>A few writers take turns: while one commits, the next gathers the deliveries that arrive. A group whose
 * transaction fails (one payload PostgreSQL refuses) is recorded again one delivery at a time, so only the bad one
 * fails.
 */
public final class GroupCommit implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GroupCommit.class);

    private record Pending(NewDelivery delivery, boolean rehearsal, CompletableFuture<Boolean> stored) {
    }

    private final DeliveryInbox inbox;
    private final int maxGroup;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean closed;

    /**
     * Starts the writers.
     *
     * @param writers  transactions in flight at once, at least 1 (each holds one database connection)
     * @param maxGroup the most deliveries one transaction stores, at least 1
     */
    public GroupCommit(DeliveryInbox inbox, int writers, int maxGroup) {
        if (writers < 1 || maxGroup < 1) {
            throw new IllegalArgumentException("writers and maxGroup must be at least 1, got " + writers + " and "
                    + maxGroup);
        }
        this.inbox = inbox;
        this.maxGroup = maxGroup;
        for (int i = 0; i < writers; i++) {
            Thread writer = new Thread(this::write, "patchwright-intake-" + i);
            writer.setDaemon(true);
            writer.start();
            this.writers.add(writer);
        }
    }

    /**
     * Stores a delivery as {@link DeliveryInbox#record} does, in the next group, and returns once it is committed.
     *
     * @return true when stored, false for a repeated delivery id
     * @throws IllegalArgumentException when its payload is not JSON
     * @throws dev.patchwright.worker.db.QueueException when the database fails
     * @throws IllegalStateException when closed
     */
    public boolean record(NewDelivery delivery) throws InterruptedException {
        try {
            return submit(delivery).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Queues a delivery for the next group without waiting: the future completes once the group's transaction has
     * committed (true when stored, false for a repeated delivery id), or exceptionally as {@link #record} throws.
     * It completes on a writer thread, so what is chained to it must not block.
     *
     * @throws IllegalStateException when closed
     */
    public CompletableFuture<Boolean> submit(NewDelivery delivery) {
        return enqueue(delivery, false);
    }

    /**
     * Queues a delivery as {@link #submit} does, to be written in a transaction that is rolled back: the same
     * statements, the same writers, nothing stored. Rehearsals are never grouped with real deliveries.
     */
    public CompletableFuture<Boolean> rehearse(NewDelivery delivery) {
        return enqueue(delivery, true);
    }

    private CompletableFuture<Boolean> enqueue(NewDelivery delivery, boolean rehearsal) {
        if (closed) {
            throw new IllegalStateException("the intake is closed: this node is shutting down");
        }
        Pending pending = new Pending(delivery, rehearsal, new CompletableFuture<>());
        queue.add(pending);
        if (closed && queue.remove(pending)) {
            throw new IllegalStateException("the intake is closed: this node is shutting down");
        }
        return pending.stored();
    }

    private void write() {
        List<Pending> taken = new ArrayList<>(maxGroup);
        List<Pending> real = new ArrayList<>(maxGroup);
        List<Pending> rehearsals = new ArrayList<>();
        while (true) {
            taken.clear();
            try {
                taken.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(taken, maxGroup - 1);
            real.clear();
            rehearsals.clear();
            for (Pending pending : taken) {
                (pending.rehearsal() ? rehearsals : real).add(pending);
            }
            writeGroup(real, false);
            writeGroup(rehearsals, true);
        }
    }

    private void writeGroup(List<Pending> group, boolean rehearsal) {
        if (group.isEmpty()) {
            return;
        }
        try {
            boolean[] stored = store(group.stream().map(Pending::delivery).toList(), rehearsal);
            for (int i = 0; i < stored.length; i++) {
                group.get(i).stored().complete(stored[i]);
            }
        } catch (RuntimeException groupFailed) {
            if (group.size() == 1) {
                group.get(0).stored().completeExceptionally(groupFailed);
                return;
            }
            LOG.warnf("Recording %d deliveries together failed (%s); recording them one by one", group.size(),
                    groupFailed.getMessage());
            for (Pending pending : group) {
                try {
                    pending.stored().complete(store(List.of(pending.delivery()), rehearsal)[0]);
                } catch (RuntimeException e) {
                    pending.stored().completeExceptionally(e);
                }
            }
        }
    }

    private boolean[] store(List<NewDelivery> deliveries, boolean rehearsal) {
        return rehearsal ? inbox.rehearseAll(deliveries) : inbox.recordAll(deliveries);
    }

    /** Stops the writers; deliveries still waiting fail, unanswered (GitHub's delivery then shows the failure). */
    @Override
    public void close() {
        closed = true;
        writers.forEach(Thread::interrupt);
        for (Pending pending; (pending = queue.poll()) != null; ) {
            pending.stored().completeExceptionally(new IllegalStateException("this node is shutting down"));
        }
    }
}
