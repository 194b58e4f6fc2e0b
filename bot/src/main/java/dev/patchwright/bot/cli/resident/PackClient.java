package dev.patchwright.bot.cli.resident;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The client the launcher starts for {@code patchwright pack}: a JVM that starts in a few hundredths of a
 * second, hands the command to the {@link PackServer} for its settings (starting one when none
 * answers), prints what the command prints and exits with its code. When no server can be reached or
 * started, it says why on one line and exits with {@link #IN_PROCESS}, and the launcher runs the
 * command in a JVM of its own.
 *
 * <p>Arguments: {@code pack <pack arguments...>}, or {@code pack-server status|stop}. System
 * properties (set by the launcher): {@code patchwright.app}, the application jar (its path and time
 * go into the server's key); {@code patchwright.pack.server.classpath} and
 * {@code patchwright.pack.server.jvm}, the server's class path and JVM options.
 */
public final class PackClient {

    /** The exit code that asks the launcher to run the command in its own JVM instead. */
    public static final int IN_PROCESS = 75;

    static final String STARTING = "patchwright: starting a resident packer (later packs reuse it; "
            + "PATCHWRIGHT_PACK_SERVER=off to run without)";

    private static final long START_MILLIS = 20_000;

    private final ServerSettings settings;

    PackClient(ServerSettings settings) {
        this.settings = settings;
    }

    public static void main(String... args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        if (args.length == 0 || !(args[0].equals("pack") || args[0].equals("pack-server") && args.length == 2
                && (args[1].equals("status") || args[1].equals("stop")))) {
            System.err.println("usage: PackClient pack <arguments> | pack-server status|stop");
            return 2;
        }
        ServerSettings settings;
        try {
            settings = ServerSettings.fromEnvironment();
        } catch (IOException | IllegalArgumentException e) {
            return args[0].equals("pack") ? inProcess(e.getMessage()) : failed(e.getMessage());
        }
        PackClient client = new PackClient(settings);
        if (args[0].equals("pack-server")) {
            return client.control(args[1].equals("status") ? ResidentProtocol.STATUS : ResidentProtocol.STOP);
        }
        return client.pack(Arrays.asList(args).subList(1, args.length));
    }

    private int pack(List<String> args) {
        SocketChannel channel;
        try {
            channel = ResidentProtocol.connect(settings.socket());
            if (channel == null) {
                channel = start();
            }
        } catch (IOException e) {
            return inProcess(e.getMessage());
        }
        boolean ansi = ansi(System.console() != null);
        ResidentProtocol.Request request = new ResidentProtocol.Request(ResidentProtocol.PACK,
                System.getProperty("user.dir"), args, ansi, charset("sun.stdout.encoding"), charset("sun.stderr.encoding"));
        return exchange(channel, request, true);
    }

    /**
     * Sends {@code request} and relays the answer; returns the command's exit code. A server that goes
     * away before it printed anything leaves the command to this process's caller when
     * {@code fallBack}.
     */
    private int exchange(SocketChannel channel, ResidentProtocol.Request request, boolean fallBack) {
        boolean printed = false;
        try (channel) {
            request.write(new DataOutputStream(ResidentProtocol.output(channel)));
            DataInputStream in = new DataInputStream(new BufferedInputStream(ResidentProtocol.input(channel), 1 << 16));
            byte[] buffer = new byte[1 << 16];
            for (int kind = ResidentProtocol.kind(in); kind != -1; kind = ResidentProtocol.kind(in)) {
                int value = in.readInt();
                if (kind == ResidentProtocol.EXIT) {
                    return value;
                }
                PrintStream stream = kind == ResidentProtocol.OUT ? System.out : System.err;
                copy(in, value, stream, buffer);
                printed = true;
            }
        } catch (IOException e) {
            // As when the server closes early: said below.
        } finally {
            System.out.flush();
            System.err.flush();
        }
        if (!printed && fallBack) {
            return inProcess("the resident packer closed the connection (see " + settings.log() + ")");
        }
        System.err.println("patchwright: the resident packer stopped in the middle of the command (see "
                + settings.log() + ")");
        return 1;
    }

    private static void copy(DataInputStream in, int length, OutputStream to, byte[] buffer) throws IOException {
        for (int left = length; left > 0; ) {
            int n = in.read(buffer, 0, Math.min(left, buffer.length));
            if (n < 0) {
                throw new IOException("the connection ended inside a frame");
            }
            to.write(buffer, 0, n);
            left -= n;
        }
        to.flush();
    }

    /**
     * Starts a server and connects to it. A lock in the run directory makes one of several clients
     * that race here start it; the others find it answering once they hold the lock.
     */
    private SocketChannel start() throws IOException {
        Path lockFile = settings.run().lock(settings.key());
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = lockChannel.lock()) {
            SocketChannel channel = ResidentProtocol.connect(settings.socket());
            if (channel != null) {
                return channel;
            }
            System.err.println(STARTING);
            Process server = new ProcessBuilder(settings.serverCommand()).directory(settings.run().path().toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(settings.log().toFile()))
                    .redirectErrorStream(true).start();
            long deadline = System.currentTimeMillis() + START_MILLIS;
            while (System.currentTimeMillis() < deadline) {
                channel = ResidentProtocol.connect(settings.socket());
                if (channel != null) {
                    return channel;
                }
                if (!server.isAlive()) {
                    throw new IOException("the resident packer exited as it started (see " + settings.log() + ")");
                }
                sleep(25);
            }
            server.destroy();
            throw new IOException("the resident packer did not answer within " + START_MILLIS / 1000 + " s (see "
                    + settings.log() + ")");
        }
    }

    /**
     * {@code pack-server status} or {@code stop}: asks the server for these settings, or says none
     * runs (status then exits 1). A stop waits until the server has let go of its socket.
     */
    private int control(byte kind) {
        SocketChannel channel;
        try {
            channel = ResidentProtocol.connect(settings.socket());
        } catch (IOException e) {
            return failed(e.getMessage());
        }
        if (channel == null) {
            System.out.println("no resident packer runs (key " + settings.key() + ", socket " + settings.socket() + ")");
            return kind == ResidentProtocol.STATUS ? 1 : 0;
        }
        int code = exchange(channel, new ResidentProtocol.Request(kind, System.getProperty("user.dir"), List.of(), false,
                "UTF-8", "UTF-8"), false);
        long deadline = System.currentTimeMillis() + START_MILLIS;
        while (kind == ResidentProtocol.STOP && Files.exists(settings.socket()) && System.currentTimeMillis() < deadline) {
            sleep(25);
        }
        return code;
    }

    /**
     * Whether picocli would colour its help and errors in this process (its rule on Linux and macOS):
     * never with {@code NO_COLOR}, always with {@code CLICOLOR_FORCE} other than 0, else on a console
     * unless {@code CLICOLOR=0} or {@code ConEmuANSI=OFF}.
     */
    static boolean ansi(boolean console) {
        if (System.getenv("NO_COLOR") != null) {
            return false;
        }
        String force = System.getenv("CLICOLOR_FORCE");
        if (force != null && !force.equals("0")) {
            return true;
        }
        return console && !"0".equals(System.getenv("CLICOLOR")) && !"OFF".equals(System.getenv("ConEmuANSI"));
    }

    /** The charset this JVM's {@code System.out} or {@code System.err} encodes with, as picocli finds it. */
    private static String charset(String property) {
        String name = System.getProperty(property);
        return name != null && Charset.isSupported(name) ? name : Charset.defaultCharset().name();
    }

    private static int inProcess(String why) {
        System.err.println("patchwright: " + why + "; packing without the resident packer");
        return IN_PROCESS;
    }

    private static int failed(String why) {
        System.err.println("patchwright: " + why);
        return 2;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
