package dev.patchwright.bot.cli.resident;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The resident packer: a JVM that stays up between {@code patchwright pack} commands, so a repeat
 * pack costs its work and not a JVM's start and warm-up. It listens on a Unix socket in the
 * {@link RunDirectory}, runs each connection's command on a thread of its own exactly as the command
 * line would, and exits once idle for its timeout, when told to stop, or when its socket is removed
 * or replaced (a newer packer took the name). It ignores the terminal's interrupt and hangup, so a
 * Ctrl-C meant for a client leaves it running. Its standard streams are its log.
 *
 * <p>Arguments: {@code <patchwright home> <key> <idle seconds>}; {@link PackClient} starts it.
 */
public final class PackServer {

    /** How often the server looks at its socket and its idle time. */
    private static final long WATCH_MILLIS = 500;

    /** How long a connection may take to send its request before it is dropped. */
    static final long REQUEST_SECONDS = 10;

    private final Path socket;
    private final String key;
    private final long idleSeconds;
    private final long idleNanos;
    private final Instant started = Instant.now();
    private final AtomicInteger active = new AtomicInteger();
    /** Drops connections that send no request in time, so a silent peer cannot hold the server up. */
    private final ScheduledExecutorService timeouts = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "pack-server-timeouts");
        thread.setDaemon(true);
        return thread;
    });
    private volatile long lastEnd = System.nanoTime();
    private volatile boolean stopping;
    private ServerSocketChannel listener;
    private Object socketKey;
    /** The application jar and its modification time when this server started: a rebuild retires it. */
    private final Path app;
    private final Object appStamp;

    PackServer(Path socket, String key, long idleSeconds) {
        this.socket = socket;
        this.key = key;
        this.idleSeconds = idleSeconds;
        this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds); // saturates rather than overflows
        String jar = System.getProperty("patchwright.app", "");
        this.app = jar.isEmpty() ? null : Path.of(jar);
        this.appStamp = app == null ? null : modified(app);
    }

    public static void main(String... args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: PackServer <patchwright home> <key> <idle seconds>");
            System.exit(2);
        }
        for (String name : new String[] {"INT", "HUP"}) {
            Signal.handle(new Signal(name), SignalHandler.SIG_IGN);
        }
        RunDirectory run = RunDirectory.open(Path.of(args[0]));
        PackServer server = new PackServer(run.socket(args[1]), args[1], Long.parseLong(args[2]));
        System.exit(server.serve());
    }

    /** Serves until idle, stopped or displaced; returns the exit code. */
    int serve() throws IOException {
        if (ResidentProtocol.answers(socket)) {
            log("another resident packer already answers on " + socket + "; exiting");
            return 0;
        }
        Files.deleteIfExists(socket);
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
        // Owner-only, as its directory: who may connect is also checked on every connection.
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        socketKey = fileKey(socket);
        // Killed (SIGTERM) rather than stopped: still leave no socket that answers nobody.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (Objects.equals(fileKey(socket), socketKey)) {
                    Files.deleteIfExists(socket);
                }
            } catch (IOException e) {
                log("could not remove " + socket + ": " + e);
            }
        }, "pack-server-exit"));
        log("started: pid " + ProcessHandle.current().pid() + ", key " + key + ", idle timeout "
                + idleSeconds + " s, java " + Runtime.version());
        Thread watch = new Thread(this::watch, "pack-server-watch");
        watch.setDaemon(true);
        watch.start();
        while (!stopping) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (AsynchronousCloseException e) {
                break;
            }
            if (!RunDirectory.sameUser(channel)) {
                log("refused a connection from a process of another user");
                channel.close();
                continue;
            }
            Thread thread = new Thread(new PackConnection(this, channel), "pack-" + channel.hashCode());
            thread.start();
        }
        // Stopped: commands already running finish; the socket is gone, so new ones start a new server.
        while (active.get() > 0) {
            sleep(WATCH_MILLIS / 5);
        }
        log("stopped");
        return 0;
    }

    private void watch() {
        while (!stopping) {
            sleep(WATCH_MILLIS);
            Object now = fileKey(socket);
            if (now == null || !now.equals(socketKey)) {
                stop(now == null ? "its socket was removed" : "its socket was replaced");
            } else if (app != null && !Objects.equals(modified(app), appStamp)) {
                stop("the application was rebuilt or removed; the next pack starts a packer of the new build");
            } else if (active.get() == 0 && System.nanoTime() - lastEnd > idleNanos) {
                stop("idle for " + idleSeconds + " s");
            }
        }
    }

    /** Stops taking commands: the socket goes (when still ours), and the accept loop ends. */
    synchronized void stop(String why) {
        if (stopping) {
            return;
        }
        stopping = true;
        log("stopping: " + why);
        try {
            if (Objects.equals(fileKey(socket), socketKey)) {
                Files.deleteIfExists(socket);
            }
            // The name is free now: a new server may bind it and even get the same inode back, which
            // the exit hook must not take for ours.
            socketKey = null;
            listener.close();
        } catch (IOException e) {
            log("while stopping: " + e);
        }
    }

    /** What {@code patchwright pack-server status} prints. */
    String status() {
        long idle = active.get() > 0 ? 0 : TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - lastEnd);
        return "a resident packer runs: pid " + ProcessHandle.current().pid() + ", key " + key + ", idle timeout "
                + idleSeconds + " s, up since " + started + ", " + active.get() + " pack(s) running, idle "
                + idle + " s, heap max " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB\n";
    }

    /** A connection's request has arrived: it counts as a command until {@link #finished()}. */
    void began() {
        active.incrementAndGet();
    }

    /** A command ended: the idle time counts from now. */
    void finished() {
        lastEnd = System.nanoTime();
        active.decrementAndGet();
    }

    /** Closes {@code channel} unless {@code cancel} is called on what this returns within {@link #REQUEST_SECONDS}. */
    java.util.concurrent.ScheduledFuture<?> dropUnlessRequested(SocketChannel channel) {
        return timeouts.schedule(() -> {
            try {
                channel.close();
            } catch (IOException e) {
                // Dropping it was the point.
            }
        }, REQUEST_SECONDS, TimeUnit.SECONDS);
    }

    static void log(String line) {
        System.err.println(Instant.now() + " " + line);
    }

    private static Object modified(Path path) {
        try {
            return Files.getLastModifiedTime(path);
        } catch (IOException e) {
            return null;
        }
    }

    private static Object fileKey(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
