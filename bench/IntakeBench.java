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
 * Prints one Markdown table row per rate. Options: {@code -DwarmClient=S} (default 5: seconds this client warms itself
 * against a throwaway loopback server first; 0 skips it), {@code -Devent=opened|labeled} (what is posted),
 * {@code -Dtimeline=true} (each second's p50/p99 on standard error), {@code -Dpreconnect=true} (open every connection
 * before the first rate instead of on first use).
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
        int warmSeconds = Integer.getInteger("warmClient", 5);
        // issues.labeled without an installation is claimed, dispatched and finished by the bot (its handler ignores
        // it without calling GitHub); issues.opened has no handler, so the intake stores it as ignored at once.
        boolean handled = "labeled".equals(System.getProperty("event", "opened"));
        if (warmSeconds > 0) {
            warmClient(secret, warmSeconds, connections);
        }
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
                KeptAliveConnection preopened = new KeptAliveConnection(uri);
                if (Boolean.getBoolean("preconnect")) {
                    preopened.connect();
                }
                Thread sender = new Thread(() -> {
                    KeptAliveConnection connection = preopened;
                    try {
                        while (true) {
                            long[] next = due.take();
                            int i = (int) next[0];
                            String body = handled
                                    ? "{\"action\":\"labeled\",\"repository\":{\"full_name\":\"bench/repo\"},\"issue\":{\"number\":"
                                    + (i + 1) + ",\"title\":\"bench\",\"body\":\"\",\"labels\":[{\"name\":\"bug\"}]},\"label\":{\"name\":\"bug\"}}"
                                    : "{\"action\":\"opened\",\"installation\":{\"id\":1},\"repository\":{\"full_name\":\"bench/repo\"},"
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
            if (Boolean.getBoolean("timeline")) {
                System.err.printf("first requests (ms): %s%n", Arrays.toString(Arrays.stream(Arrays.copyOf(latencyNanos, 12))
                        .map(n -> n / 1_000_000).toArray()));
                for (int second = 0; second * rate < total; second++) {
                    long[] slice = Arrays.copyOfRange(latencyNanos, second * rate, Math.min(total, (second + 1) * rate));
                    Arrays.sort(slice);
                    System.err.printf("rate %d second %d: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", rate, second,
                            ms(slice, 0.50), ms(slice, 0.99), slice[slice.length - 1] / 1e6);
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
                connect();
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

        void connect() throws IOException {
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
                socket.setSoTimeout(30_000);
                in = new BufferedInputStream(socket.getInputStream());
                out = new BufferedOutputStream(socket.getOutputStream());
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

    /**
     * Warms this client's own code (signing, sending, parsing answers) against a throwaway loopback server that
     * answers 202 at once, so that the timed run measures the bot's warm-up and not the client's.
     */
    private static void warmClient(byte[] secret, int seconds, int connections) throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new InetSocketAddress("127.0.0.1", 0), 512);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8, runnable -> {
            Thread thread = new Thread(runnable, "warm-server");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] answer = "{\"status\":\"accepted\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(202, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/webhook");
        AtomicInteger sent = new AtomicInteger();
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < Math.min(connections, 16); c++) {
            Thread thread = new Thread(() -> {
                KeptAliveConnection connection = new KeptAliveConnection(uri);
                try {
                    while (System.nanoTime() < until) {
                        int i = sent.incrementAndGet();
                        String body = "{\"action\":\"opened\",\"issue\":{\"number\":" + i + "}}";
                        connection.post(uri.getPath(), "warm-" + i, "sha256=" + sign(secret, body), body);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    connection.close();
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        server.stop(0);
        System.err.printf("client warmed with %d requests to a loopback server%n", sent.get());
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
