package dev.patchwright.bot.webhook;

import dev.patchwright.bot.handlers.HandlerOutcome;
import dev.patchwright.bot.handlers.WebhookDispatcher;
import dev.patchwright.worker.queue.DeliveryInbox;
import dev.patchwright.worker.queue.DeliverySweep;
import dev.patchwright.worker.queue.StoredDelivery;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Handles stored deliveries: at once after they are recorded, and again from a sweep for any that a
 * crash or a GitHub outage left behind. A delivery is claimed atomically, so two nodes never handle
 * the same one. While a node handles one it renews the claim every {@link #RENEW_EVERY}, so a claim
 * unrenewed for {@link #STALE} belongs to a node that died, and the next sweep (every 5 s by default)
 * takes it over; a backlog is handed to the handler threads all at once ({@link DeliverySweep}).
 */
@ApplicationScoped
public class DeliveryProcessor {

    private static final Logger LOG = Logger.getLogger(DeliveryProcessor.class);
    /** A delivery "processing" whose claim went unrenewed this long was abandoned by a node that died. */
    static final Duration STALE = Duration.ofSeconds(15);
    /** How often a handler renews its claim. */
    static final Duration RENEW_EVERY = Duration.ofSeconds(5);
    /** How many due deliveries one look at the table fetches. */
    private static final int SWEEP_BATCH = 200;

    private final ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "patchwright-delivery");
        thread.setDaemon(true);
        return thread;
    });
    private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "patchwright-delivery-renewal");
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    DeliveryInbox inbox;

    @Inject
    WebhookDispatcher dispatcher;

    /** Handles the delivery soon, on a background thread. */
    public void submit(String deliveryId) {
        executor.submit(() -> process(deliveryId));
    }

    @Scheduled(identity = "delivery-sweep", every = "${patchwright.delivery-sweep:5s}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() throws InterruptedException {
        int taken = new DeliverySweep(inbox, STALE, SWEEP_BATCH).drain(executor, this::process);
        if (taken > 0) {
            LOG.infof("Delivery sweep handled %d delivery(ies) left behind", taken);
        }
    }

    /** Claims and handles one delivery; false when it was not claimable (handled, or another node's). */
    boolean process(String deliveryId) {
        Optional<StoredDelivery> claimed = inbox.claim(deliveryId, STALE);
        if (claimed.isEmpty()) {
            return false;
        }
        StoredDelivery delivery = claimed.get();
        long every = RENEW_EVERY.toMillis();
        ScheduledFuture<?> renewal = renewals.scheduleAtFixedRate(() -> {
            try {
                inbox.renew(deliveryId);
            } catch (RuntimeException e) {
                LOG.warnf("Delivery %s: could not renew its claim (%s)", deliveryId, e.getMessage());
            }
        }, every, every, TimeUnit.MILLISECONDS);
        try {
            handle(delivery);
        } finally {
            renewal.cancel(false);
        }
        return true;
    }

    private void handle(StoredDelivery delivery) {
        String deliveryId = delivery.deliveryId();
        try {
            HandlerOutcome outcome = dispatcher.dispatch(delivery);
            if (outcome.acted()) {
                inbox.handled(deliveryId, outcome.text());
            } else {
                inbox.ignored(deliveryId, outcome.text());
            }
            LOG.infof("Delivery %s (%s): %s", deliveryId, delivery.event(), outcome.text());
        } catch (IOException e) {
            // GitHub unreachable, rate limited (we fail fast instead of sleeping) or a 5xx: try later.
            retryLater(delivery, e);
        } catch (RuntimeException e) {
            IOException io = ioCause(e);
            if (io != null) {
                // The extension wraps GitHub failures (creating an installation token) in runtime exceptions.
                retryLater(delivery, io);
                return;
            }
            LOG.errorf(e, "Delivery %s could not be handled", deliveryId);
            inbox.failed(deliveryId, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void retryLater(StoredDelivery delivery, IOException cause) {
        Duration delay = Duration.ofSeconds(30L << Math.min(delivery.attempts(), 6));
        LOG.warnf("Delivery %s: GitHub call failed (%s); retrying in %s", delivery.deliveryId(), cause.getMessage(),
                delay);
        inbox.retryLater(delivery.deliveryId(), delay, "GitHub call failed: " + cause.getMessage());
    }

    private static IOException ioCause(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof IOException io) {
                return io;
            }
        }
        return null;
    }

    void stop(@Observes ShutdownEvent event) {
        executor.shutdown();
        renewals.shutdownNow();
    }
}
