package dev.patchwright.bot.webhook;

import dev.patchwright.bot.handlers.HandlerOutcome;
import dev.patchwright.bot.handlers.WebhookDispatcher;
import dev.patchwright.worker.queue.DeliveryInbox;
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

/**
 * Handles stored deliveries: at once after they are recorded, and again from a sweep for any that a
 * crash or a GitHub outage left behind. A delivery is claimed atomically, so two nodes never handle
 * the same one.
 */
@ApplicationScoped
public class DeliveryProcessor {

    private static final Logger LOG = Logger.getLogger(DeliveryProcessor.class);
    /** A delivery still "processing" after this long was abandoned by a node that died. */
    private static final Duration STALE = Duration.ofMinutes(10);

    private final ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "patchwright-delivery");
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

    @Scheduled(identity = "delivery-sweep", every = "${patchwright.delivery-sweep:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        for (String id : inbox.due(STALE, 50)) {
            process(id);
        }
    }

    void process(String deliveryId) {
        Optional<StoredDelivery> claimed = inbox.claim(deliveryId, STALE);
        if (claimed.isEmpty()) {
            return;
        }
        StoredDelivery delivery = claimed.get();
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
    }
}
