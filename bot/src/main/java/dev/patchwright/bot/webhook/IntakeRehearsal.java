package dev.patchwright.bot.webhook;

import dev.patchwright.bot.config.PatchwrightConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Warms the webhook intake before the node says it is ready. A fresh JVM runs the intake interpreted, and on a small
 * machine its compilers then compete with the deliveries for the cores: on 2 cores a cold node answered its first
 * seconds at 1,000 deliveries/s in 1 to 2 s each (bench/INTAKE.md). So a node that takes webhooks first posts
 * {@code patchwright.intake-warmup} signed rehearsal deliveries to its own {@code /webhook}, over loopback, through
 * everything a real one passes (HTTP, signature, JSON, the grouped insert), in transactions that are rolled back:
 * nothing is stored, handled or logged per delivery. Readiness ({@code /q/health/ready}, check "intake") stays down
 * until then, so Kubernetes sends it no webhook before; a node on its own takes deliveries meanwhile, only slower.
 *
 * <p>A rehearsal carries {@code X-Patchwright-Rehearsal} with a token this process drew at random and never shows;
 * a signed delivery with any other value is refused. Worker-only nodes receive no webhooks and do not rehearse.
 */
@ApplicationScoped
public class IntakeRehearsal {

    /** The header that marks a rehearsal; its value must be this process's token. */
    public static final String HEADER = "X-Patchwright-Rehearsal";
    private static final Logger LOG = Logger.getLogger(IntakeRehearsal.class);
    /** Rehearsals in flight at once: enough to exercise the grouping, few enough to leave the cores to the JIT. */
    private static final int LANES = 16;
    /** Each lane opens a new connection after this many rehearsals. */
    private static final int RECONNECT_EVERY = 20;
    /** However many rehearsals were asked for, the node is ready after this long. */
    static final Duration LIMIT = Duration.ofSeconds(60);

    private final String token = HexFormat.of().formatHex(randomBytes());
    private final AtomicInteger done = new AtomicInteger();
    private volatile int asked;
    private volatile String outcome;
    private volatile Thread runner;

    @Inject
    PatchwrightConfig config;

    @ConfigProperty(name = "quarkus.github-app.webhook-secret")
    Optional<String> secret;

    private static byte[] randomBytes() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    /** Whether {@code header} is this process's rehearsal token, compared in constant time. */
    boolean isToken(String header) {
        return header != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.US_ASCII),
                header.trim().getBytes(StandardCharsets.US_ASCII));
    }

    void start(@Observes StartupEvent started) {
        int count = config.intakeWarmup();
        if (count <= 0) {
            outcome = "no rehearsal (patchwright.intake-warmup is 0)";
            return;
        }
        if (config.role() == PatchwrightConfig.Role.WORKER) {
            outcome = "no rehearsal: a worker node receives no webhooks";
            return;
        }
        if (secret.isEmpty() || secret.get().isBlank()) {
            outcome = "no rehearsal: no webhook secret is configured, so the intake refuses every delivery";
            return;
        }
        asked = count;
        Thread thread = new Thread(() -> rehearse(count), "patchwright-intake-warmup");
        thread.setDaemon(true);
        runner = thread;
        thread.start();
    }

    void stop(@Observes ShutdownEvent stopping) {
        Thread thread = runner;
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** Down while rehearsing, with how far it got; up with what it did, or why it did not. */
    HealthCheckResponse readiness() {
        String said = outcome;
        if (said == null) {
            return HealthCheckResponse.named("intake").down()
                    .withData("warm-up", done.get() + " of " + asked + " rehearsal deliveries").build();
        }
        return HealthCheckResponse.named("intake").up().withData("warm-up", said).build();
    }

    private void rehearse(int count) {
        long started = System.nanoTime();
        String host = loopbackHost();
        int port = httpPort();
        long deadline = started + LIMIT.toNanos();
        AtomicInteger next = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        List<Thread> lanes = new ArrayList<>();
        try {
            awaitListening(host, port, deadline);
            for (int lane = 0; lane < LANES; lane++) {
                Thread thread = new Thread(() -> {
                    LoopbackConnection connection = new LoopbackConnection(host, port);
                    try {
                        for (int n = next.getAndIncrement(); n < count && System.nanoTime() < deadline
                                && failure.get() == null && !Thread.currentThread().isInterrupted();
                             n = next.getAndIncrement()) {
                            int status = send(connection, n);
                            if (status != 202) {
                                failure.compareAndSet(null, "a rehearsal delivery was answered " + status);
                                return;
                            }
                            done.incrementAndGet();
                            // New connections now and then, so that accepting one is warm too.
                            if (n % RECONNECT_EVERY == RECONNECT_EVERY - 1) {
                                connection.close();
                            }
                        }
                    } catch (IOException e) {
                        failure.compareAndSet(null, "a rehearsal delivery failed: " + e.getMessage());
                    } finally {
                        connection.close();
                    }
                }, "patchwright-intake-warmup-" + lane);
                thread.setDaemon(true);
                thread.start();
                lanes.add(thread);
            }
            for (Thread thread : lanes) {
                thread.join();
            }
        } catch (InterruptedException e) {
            lanes.forEach(Thread::interrupt);
            failure.compareAndSet(null, "interrupted (the node is stopping)");
        } catch (IOException e) {
            failure.compareAndSet(null, e.getMessage());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (failure.get() != null) {
            outcome = String.format("stopped after %d of %d rehearsal deliveries: %s", done.get(), count, failure.get());
            LOG.warnf("Intake warm-up %s; the node is ready, its first deliveries may be slow", outcome);
        } else if (done.get() < count) {
            outcome = String.format("%d of %d rehearsal deliveries in %.1f s (the time limit)", done.get(), count,
                    seconds);
            LOG.infof("Intake warm-up: %s", outcome);
        } else {
            outcome = String.format("%d rehearsal deliveries in %.1f s", count, seconds);
            LOG.infof("Intake warm-up: %s, nothing stored; ready for webhooks", outcome);
        }
    }

    /** The HTTP server may open its port after start-up observers ran: waits until it accepts a connection. */
    private static void awaitListening(String host, int port, long deadline) throws IOException, InterruptedException {
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(host, port), 2_000);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("nothing accepts connections on " + host + ":" + port + ": "
                            + notYet.getMessage());
                }
                Thread.sleep(100);
            }
        }
    }

    private int send(LoopbackConnection connection, int n) throws IOException {
        byte[] body = RehearsalPayload.issueLabeled(n);
        return connection.post("/webhook", List.of(
                "Content-Type: application/json",
                "X-GitHub-Event: issues",
                "X-GitHub-Delivery: rehearsal-" + token.substring(0, 8) + "-" + n,
                "X-Hub-Signature-256: " + WebhookSignature.sign(secret.orElseThrow(), body),
                HEADER + ": " + token), body);
    }

    /** Where this node's own HTTP server answers: its host unless it listens on every address, then loopback. */
    private static String loopbackHost() {
        String host = ConfigProvider.getConfig().getOptionalValue("quarkus.http.host", String.class).orElse("0.0.0.0");
        if (host.isBlank() || host.equals("0.0.0.0")) {
            return "127.0.0.1";
        }
        if (host.equals("::") || host.equals("[::]")) {
            return "::1";
        }
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    /** The port the HTTP server listens on; Quarkus writes the one it chose into this property when asked for 0. */
    private static int httpPort() {
        String chosen = System.getProperty("quarkus.http.port");
        if (chosen != null && !chosen.isBlank() && !chosen.equals("0")) {
            return Integer.parseInt(chosen.strip());
        }
        return ConfigProvider.getConfig().getOptionalValue("quarkus.http.port", Integer.class).orElse(8080);
    }
}
