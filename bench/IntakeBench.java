import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The intake benchmark (bench/intake.sh runs it against a started bot): signed webhook deliveries posted at a fixed
 * rate for a while, rate after rate. Latency counts from when a request was due, not when it was sent, so a stall
 * shows in full. Afterwards the stored rows are counted: an accepted delivery without a row is lost.
 *
 * <p>Usage: java -cp postgresql.jar bench/IntakeBench.java WEBHOOK_URL SECRET JDBC_URL DB_PASSWORD SECONDS RATE...
 * Prints one Markdown table row per rate.
 */
public final class IntakeBench {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        byte[] secret = args[1].getBytes(StandardCharsets.UTF_8);
        String jdbc = args[2];
        String password = args[3];
        int seconds = Integer.parseInt(args[4]);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        System.out.println("| rate asked /s | accepted /s held | p50 ms | p99 ms | p99 first second ms | max ms | errors | lost |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int r = 5; r < args.length; r++) {
            int rate = Integer.parseInt(args[r]);
            String prefix = "bench-" + rate + "-" + System.currentTimeMillis() + "-";
            int total = rate * seconds;
            long[] latencyNanos = new long[total];
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger errors = new AtomicInteger();
            List<CompletableFuture<?>> pending = new ArrayList<>(total);
            long start = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long due = start + (long) i * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                String id = prefix + i;
                String body = "{\"action\":\"opened\",\"installation\":{\"id\":1},\"repository\":{\"full_name\":\"bench/repo\"},"
                        + "\"issue\":{\"number\":" + (i + 1) + ",\"title\":\"bench\",\"body\":\"\",\"labels\":[]}}";
                HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json").header("X-GitHub-Event", "issues")
                        .header("X-GitHub-Delivery", id).header("X-Hub-Signature-256", "sha256=" + sign(secret, body))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                int index = i;
                pending.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).handle((response, failure) -> {
                    latencyNanos[index] = System.nanoTime() - due;
                    if (failure == null && response.statusCode() == 202) {
                        accepted.incrementAndGet();
                    } else {
                        errors.incrementAndGet();
                    }
                    return null;
                }));
            }
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
            double elapsed = (System.nanoTime() - start) / 1e9;
            long stored;
            try (Connection connection = DriverManager.getConnection(jdbc, "postgres", password);
                 PreparedStatement query = connection.prepareStatement(
                         "select count(*) from webhook_deliveries where delivery_id like ?")) {
                query.setString(1, prefix + "%");
                try (ResultSet rows = query.executeQuery()) {
                    rows.next();
                    stored = rows.getLong(1);
                }
            }
            long[] firstSecond = Arrays.copyOf(latencyNanos, Math.min(rate, total));
            Arrays.sort(firstSecond);
            long[] all = latencyNanos.clone();
            Arrays.sort(all);
            System.out.printf("| %d | %.0f | %.1f | %.1f | %.1f | %.1f | %d | %d |%n", rate, accepted.get() / elapsed,
                    ms(all, 0.50), ms(all, 0.99), ms(firstSecond, 0.99), all[all.length - 1] / 1e6, errors.get(),
                    Math.max(0, accepted.get() - stored));
            Thread.sleep(3_000);
        }
    }

    private static double ms(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e6;
    }

    private static String sign(byte[] secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }
}
