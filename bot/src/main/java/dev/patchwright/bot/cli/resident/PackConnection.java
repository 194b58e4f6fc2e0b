package dev.patchwright.bot.cli.resident;

import dev.patchwright.bot.cli.Cli;
import dev.patchwright.bot.cli.Invocation;
import picocli.CommandLine;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * One client's command on the resident packer: read the request, run it with the client's directory
 * and streams, send the exit code. While the command runs, a second thread waits for the client's end
 * of the connection: when the client goes first (the user pressed Ctrl-C), the command is interrupted,
 * and the packer drops its half-written output.
 */
final class PackConnection implements Runnable {

    private final PackServer server;
    private final SocketChannel channel;
    private final Object lock = new Object();
    private boolean done;

    PackConnection(PackServer server, SocketChannel channel) {
        this.server = server;
        this.channel = channel;
    }

    @Override
    public void run() {
        try (channel) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(ResidentProtocol.input(channel)));
            ResidentProtocol.Request request;
            ScheduledFuture<?> timeout = server.dropUnlessRequested(channel);
            try {
                request = ResidentProtocol.Request.read(in);
            } catch (EOFException | ClosedChannelException e) {
                return; // a client that only looked whether a server answers, or one that said nothing in time
            } finally {
                timeout.cancel(false);
            }
            ResidentProtocol.FrameWriter frames = new ResidentProtocol.FrameWriter(channel);
            switch (request.kind()) {
                case ResidentProtocol.PACK -> pack(request, in, frames);
                case ResidentProtocol.STATUS -> reply(frames, server.status());
                case ResidentProtocol.STOP -> {
                    reply(frames, "stopped the resident packer (pid " + ProcessHandle.current().pid() + ")\n");
                    server.stop("asked to stop");
                }
                default -> throw new IOException("an unknown request kind " + request.kind());
            }
        } catch (IOException e) {
            // A client that went away mid-answer is normal (Ctrl-C); anything else is worth a line.
            if (!done) {
                PackServer.log("a connection failed: " + e);
            }
        } catch (RuntimeException e) {
            PackServer.log("a command failed: " + e);
        } finally {
            Thread.interrupted();
        }
    }

    private static void reply(ResidentProtocol.FrameWriter frames, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        frames.frame(ResidentProtocol.OUT, bytes, 0, bytes.length);
        frames.exit(0);
    }

    private void pack(ResidentProtocol.Request request, DataInputStream in, ResidentProtocol.FrameWriter frames)
            throws IOException {
        Charset outCharset = Charset.forName(request.outCharset());
        Charset errCharset = Charset.forName(request.errCharset());
        PrintStream out = new PrintStream(frames.stream(ResidentProtocol.OUT), false, outCharset);
        PrintStream err = new PrintStream(frames.stream(ResidentProtocol.ERR), false, errCharset);
        Thread command = Thread.currentThread();
        Thread watch = new Thread(() -> {
            try {
                while (in.read() != -1) {
                    // A client sends nothing after its request; whatever comes is ignored until the end.
                }
            } catch (IOException e) {
                // The connection broke: the same as the client leaving.
            }
            synchronized (lock) {
                if (!done) {
                    done = true;
                    command.interrupt();
                }
            }
        }, command.getName() + "-watch");
        watch.setDaemon(true);
        watch.start();
        List<String> args = new ArrayList<>(request.args().size() + 1);
        args.add("pack");
        args.addAll(request.args());
        // picocli.ansi, when the server's options set it, decides as it would have in the client's JVM.
        CommandLine.Help.Ansi ansi = System.getProperty("picocli.ansi") != null ? CommandLine.Help.Ansi.AUTO
                : request.ansi() ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF;
        int code;
        server.began();
        try {
            code = Cli.execute(new Invocation(Path.of(request.workingDirectory()), out, err), outCharset, errCharset,
                    ansi, args.toArray(String[]::new));
            out.flush();
            err.flush();
        } finally {
            server.finished();
        }
        synchronized (lock) {
            if (done) {
                PackServer.log("a client left mid-pack; its command was stopped");
                return;
            }
            done = true;
        }
        Thread.interrupted();
        frames.exit(code);
    }
}
