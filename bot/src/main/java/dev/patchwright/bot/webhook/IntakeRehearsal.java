package dev.patchwright.bot.webhook;

import dev.patchwright.bot.config.PatchwrightConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.HttpServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
    /** Names the rehearsals' delivery ids; unrelated to the token, which no id, log or answer shows. */
    private final String idNonce = HexFormat.of().formatHex(randomBytes()).substring(0, 12);
    /** The HTTP server's port, once it listens (its options name it, or the configured one). */
    private final CompletableFuture<Integer> listening = new CompletableFuture<>();
    private volatile boolean rehearsing;
    private volatile long startedNanos;
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

    /**
     * Whether {@code header} is this process's rehearsal token, compared in constant time. Only while the warm-up runs:
     * afterwards no delivery is a rehearsal.
     */
    boolean isToken(String header) {
        return rehearsing && header != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.US_ASCII),
                header.trim().getBytes(StandardCharsets.US_ASCII));
    }

    /** The plain-HTTP server is listening: its options say on which port (0 when it was left to the system). */
    void listening(@ObservesAsync HttpServerStart server) {
        listening.complete(server.options().getPort());
    }

    void start(@Observes StartupEvent started) {
        startedNanos = System.nanoTime();
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
        if (ConfigProvider.getConfig().getOptionalValue("quarkus.http.insecure-requests", String.class)
                .filter(mode -> !mode.equalsIgnoreCase("enabled")).isPresent()) {
            outcome = "no rehearsal: plain HTTP is not served (quarkus.http.insecure-requests)";
            return;
        }
        asked = count;
        rehearsing = true;
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

    /**
     * Down while rehearsing, with how far it got; up with what it did, or why it did not. Up in any case once the
     * time limit is well past, so that a warm-up that went wrong in a way nobody foresaw never keeps a node unready.
     */
    HealthCheckResponse readiness() {
        String said = outcome;
        if (said == null && System.nanoTime() - startedNanos > LIMIT.plusSeconds(30).toNanos()) {
            said = "did not finish in " + LIMIT.plusSeconds(30).toSeconds() + " s; the node is ready, cold";
        }
        if (said == null) {
            return HealthCheckResponse.named("intake").down()
                    .withData("warm-up", done.get() + " of " + asked + " rehearsal deliveries").build();
        }
        return HealthCheckResponse.named("intake").up().withData("warm-up", said).build();
    }

    private void rehearse(int count) {
        long started = System.nanoTime();
        long deadline = started + LIMIT.toNanos();
        AtomicInteger next = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        List<Thread> lanes = new ArrayList<>();
        try {
            int port = port(deadline);
            String host = loopbackHost();
            String path = webhookPath();
            awaitListening(host, port, deadline);
            for (int lane = 0; lane < LANES; lane++) {
                Thread thread = new Thread(() -> lane(host, port, path, count, next, deadline, failure),
                        "patchwright-intake-warmup-" + lane);
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
        } catch (Throwable e) {
            lanes.forEach(Thread::interrupt);
            failure.compareAndSet(null, e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            rehearsing = false;
            say(count, done.get(), failure.get(), (System.nanoTime() - started) / 1e9);
        }
    }

    /** One lane: rehearsals one after another on a kept-alive connection, a new one every few. */
    private void lane(String host, int port, String path, int count, AtomicInteger next, long deadline,
                      AtomicReference<String> failure) {
        LoopbackConnection connection = new LoopbackConnection(host, port);
        try {
            for (int n = next.getAndIncrement(); n < count && System.nanoTime() < deadline && failure.get() == null
                    && !Thread.currentThread().isInterrupted(); n = next.getAndIncrement()) {
                int status;
                try {
                    status = send(connection, path, n);
                } catch (IOException stale) {
                    // A kept-alive connection the server closed meanwhile: once more on a new one.
                    status = send(connection, path, n);
                }
                if (status != 202) {
                    failure.compareAndSet(null, "a rehearsal delivery to " + path + " was answered " + status);
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
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            connection.close();
        }
    }

    private void say(int count, int rehearsed, String failure, double seconds) {
        if (failure != null) {
            outcome = String.format("stopped after %d of %d rehearsal deliveries: %s", rehearsed, count, failure);
            LOG.warnf("Intake warm-up %s; the node is ready, its first deliveries may be slow", outcome);
        } else if (rehearsed < count) {
            outcome = String.format("%d of %d rehearsal deliveries in %.1f s (the time limit)", rehearsed, count,
                    seconds);
            LOG.infof("Intake warm-up: %s", outcome);
        } else {
            outcome = String.format("%d rehearsal deliveries in %.1f s", count, seconds);
            LOG.infof("Intake warm-up: %s, nothing stored; ready for webhooks", outcome);
        }
    }

    /** The port the plain-HTTP server listens on, once it does. */
    private int port(long deadline) throws Exception {
        int port = listening.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (port <= 0) {
            // The options hold 0 when the system chose: the configured value is all there is to go on.
            port = ConfigProvider.getConfig().getOptionalValue("quarkus.http.port", Integer.class).orElse(0);
        }
        if (port <= 0) {
            throw new IOException("the HTTP port is left to the system (0), so the warm-up cannot find it");
        }
        return port;
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

    private int send(LoopbackConnection connection, String path, int n) throws IOException {
        byte[] body = RehearsalPayload.issueLabeled(n);
        return connection.post(path, List.of(
                "Content-Type: application/json",
                "X-GitHub-Event: issues",
                "X-GitHub-Delivery: rehearsal-" + idNonce + "-" + n,
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

    /** {@code /webhook} under the HTTP root path, when one is set. */
    private static String webhookPath() {
        String root = ConfigProvider.getConfig().getOptionalValue("quarkus.http.root-path", String.class).orElse("/");
        return (root.endsWith("/") ? root : root + "/") + "webhook";
    }
}
