package dev.patchwright.worker.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * Finds the deliveries nobody is handling (a backlog left by an outage, or claims of a node that died) and hands
 * them all to the handlers at once, batch after batch, until none is due: a backlog of thousands drains as fast as
 * the handlers go, not one small batch per sweep.
 */
public final class DeliverySweep {

    private final DeliveryInbox inbox;
    private final Duration staleProcessing;
    private final int batch;

    /**
     * @param staleProcessing how long a claim may go unrenewed before it counts as its node's death
     * @param batch           how many ids one look at the table fetches, at least 1
     */
    public DeliverySweep(DeliveryInbox inbox, Duration staleProcessing, int batch) {
        this.inbox = Objects.requireNonNull(inbox, "inbox");
        this.staleProcessing = Objects.requireNonNull(staleProcessing, "staleProcessing");
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        }
        this.batch = batch;
    }

    /**
     * Hands every due delivery to {@code handle} on {@code executor}, waiting for each batch before fetching the
     * next, and stops when a batch is short or none of it was taken (the rest is another node's, or not due).
     *
     * @param handle claims and handles one delivery id; returns whether it took the delivery
     * @return how many deliveries were taken
     */
    public int drain(ExecutorService executor, Predicate<String> handle) throws InterruptedException {
        int taken = 0;
        while (true) {
            List<String> ids = inbox.due(staleProcessing, batch);
            List<Future<Boolean>> results = new ArrayList<>(ids.size());
            for (String id : ids) {
                results.add(executor.submit(() -> handle.test(id)));
            }
            int takenNow = 0;
            for (Future<Boolean> result : results) {
                try {
                    if (result.get()) {
                        takenNow++;
                    }
                } catch (ExecutionException e) {
                    // the handler records its own failures; one delivery's must not stop the others
                }
            }
            taken += takenNow;
            if (ids.size() < batch || takenNow == 0) {
                return taken;
            }
        }
    }
}
