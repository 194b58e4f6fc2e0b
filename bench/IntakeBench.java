import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The intake benchmark (bench/intake.sh runs it against a started bot): signed webhook deliveries posted at a fixed
 * rate for a while, rate after rate, over kept-alive HTTP/1.1 connections (256, or {@code -Dconnections=N}), each
 * sending one request at a time. Latency counts from when a request was due, not when it was sent, so a stall (or
 * every connection busy) shows in full. Afterwards the stored rows are counted: an accepted delivery without a row is lost.
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
        int connections = Integer.parseInt(System.getProperty("connections", "256"));
        URI uri = URI.create(url);
        System.out.println("| rate asked /s | accepted /s held | p50 ms | p99 ms | p99 first second ms | max ms | errors | lost |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int r = 5; r < args.length; r++) {
            int rate = Integer.parseInt(args[r]);
            String prefix = "bench-" + rate + "-" + System.currentTimeMillis() + "-";
            int total = rate * seconds;
            long[] latencyNanos = new long[total];
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger errors = new AtomicInteger();
            BlockingQueue<long[]> due = new LinkedBlockingQueue<>();
            CountDownLatch done = new CountDownLatch(total);
            List<Thread> senders = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                Thread sender = new Thread(() -> {
                    KeptAliveConnection connection = new KeptAliveConnection(uri);
                    try {
                        while (true) {
                            long[] next = due.take();
                            int i = (int) next[0];
                            String body = "{\"action\":\"opened\",\"installation\":{\"id\":1},\"repository\":{\"full_name\":\"bench/repo\"},"
                                    + "\"issue\":{\"number\":" + (i + 1) + ",\"title\":\"bench\",\"body\":\"\",\"labels\":[]}}";
                            int status = connection.post(uri.getPath(), prefix + i, "sha256=" + sign(secret, body), body);
                            latencyNanos[i] = System.nanoTime() - next[1];
                            (status == 202 ? accepted : errors).incrementAndGet();
                            done.countDown();
                        }
                    } catch (InterruptedException e) {
                        connection.close();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, "sender-" + c);
                sender.setDaemon(true);
                sender.start();
                senders.add(sender);
            }
            long start = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long at = start + (long) i * 1_000_000_000L / rate;
                long wait = at - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                due.add(new long[] {i, at});
            }
            done.await();
            double elapsed = (System.nanoTime() - start) / 1e9;
            senders.forEach(Thread::interrupt);
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

    /**
     * One kept-alive HTTP/1.1 connection, as a webhook sender holds them; reconnects after an error. A request that
     * fails (refused, reset, a timeout of 30 s) counts as status -1.
     */
    static final class KeptAliveConnection {
        private final URI uri;
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        KeptAliveConnection(URI uri) {
            this.uri = uri;
        }

        int post(String path, String delivery, String signature, String body) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            try {
                if (socket == null) {
                    socket = new Socket();
                    socket.setTcpNoDelay(true);
                    socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
                    socket.setSoTimeout(30_000);
                    in = new BufferedInputStream(socket.getInputStream());
                    out = new BufferedOutputStream(socket.getOutputStream());
                }
                out.write(("POST " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                        + "\r\nContent-Type: application/json\r\nX-GitHub-Event: issues\r\nX-GitHub-Delivery: " + delivery
                        + "\r\nX-Hub-Signature-256: " + signature + "\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.flush();
                String statusLine = line();
                int status = Integer.parseInt(statusLine.split(" ")[1]);
                long length = -1;
                boolean chunked = false;
                boolean close = false;
                for (String header = line(); !header.isEmpty(); header = line()) {
                    String lower = header.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Long.parseLong(lower.substring(15).strip());
                    } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                        chunked = true;
                    } else if (lower.startsWith("connection:") && lower.contains("close")) {
                        close = true;
                    }
                }
                if (chunked) {
                    for (long size = Long.parseLong(line().strip(), 16); size > 0; size = Long.parseLong(line().strip(), 16)) {
                        in.readNBytes((int) size);
                        line();
                    }
                    line();
                } else if (length > 0) {
                    in.readNBytes((int) length);
                }
                if (close) {
                    close();
                }
                return status;
            } catch (IOException | RuntimeException e) {
                close();
                return -1;
            }
        }

        private String line() throws IOException {
            StringBuilder text = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new EOFException("the server closed the connection");
                }
                if (b != '\r') {
                    text.append((char) b);
                }
            }
            return text.toString();
        }

        void close() {
            try {
                if (socket != null) {
                    socket.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
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
