package dev.patchwright.bot.cli.resident;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the resident packer and its client say over the socket. The client sends one request:
 * {@code magic, kind, cwd, argc, args..., ansi, stdout charset, stderr charset} (strings as a length
 * and UTF-8 bytes). The server answers with frames, each a kind byte then a length and bytes:
 * {@link #OUT} and {@link #ERR} carry the bytes the command printed on each stream, in the order it
 * printed them, and {@link #EXIT} (length replaced by the exit code) ends the answer. The client then
 * sends nothing more; the server takes the end of the connection before {@code EXIT} for the user
 * giving up, and stops the command.
 */
final class ResidentProtocol {

    static final int MAGIC = 0x50575031; // "PWP1": a different build speaks another protocol and has another key
    static final byte PACK = 1;
    static final byte STATUS = 2;
    static final byte STOP = 3;

    static final byte OUT = 1;
    static final byte ERR = 2;
    static final byte EXIT = 3;

    /**
     * Most bytes a request's strings may hold in all: twice what Linux lets a command line carry
     * (ARG_MAX, 2 MiB), and a bound on what one connection can make the server hold.
     */
    private static final int MAX_REQUEST_BYTES = 4 << 20;
    private static final int MAX_ARGS = 100_000;

    private ResidentProtocol() {
    }

    /** One command from a client. */
    record Request(byte kind, String workingDirectory, List<String> args, boolean ansi, String outCharset,
                   String errCharset) {

        void write(DataOutputStream out) throws IOException {
            out.writeInt(MAGIC);
            out.writeByte(kind);
            string(out, workingDirectory);
            out.writeInt(args.size());
            for (String arg : args) {
                string(out, arg);
            }
            out.writeBoolean(ansi);
            string(out, outCharset);
            string(out, errCharset);
            out.flush();
        }

        static Request read(DataInputStream in) throws IOException {
            if (in.readInt() != MAGIC) {
                throw new IOException("not a patchwright pack request");
            }
            int[] left = {MAX_REQUEST_BYTES};
            byte kind = in.readByte();
            String cwd = string(in, left);
            int count = in.readInt();
            if (count < 0 || count > MAX_ARGS) {
                throw new IOException("a request with " + count + " arguments");
            }
            List<String> args = new ArrayList<>(Math.min(count, 64));
            for (int i = 0; i < count; i++) {
                args.add(string(in, left));
            }
            return new Request(kind, cwd, args, in.readBoolean(), string(in, left), string(in, left));
        }
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** A string of at most {@code left[0]} bytes, which it then lowers by its length. */
    private static String string(DataInputStream in, int[] left) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > left[0]) {
            throw new IOException("a request over " + MAX_REQUEST_BYTES + " bytes");
        }
        left[0] -= length;
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /**
     * A connection to the server on {@code socket}, or {@code null} when none answers there.
     *
     * @throws IOException when what answers runs as another user: nothing is sent to it
     */
    static SocketChannel connect(Path socket) throws IOException {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return null;
        }
        if (!RunDirectory.sameUser(channel)) {
            channel.close();
            throw new IOException(socket + " is served by a process of another user; not using it");
        }
        return channel;
    }

    /** Whether a server answers on {@code socket} now. */
    static boolean answers(Path socket) {
        SocketChannel channel;
        try {
            channel = connect(socket);
        } catch (IOException e) {
            return false; // another user's: not a server of ours, and its name is ours to take
        }
        if (channel == null) {
            return false;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // It answered; closing our end cannot change that.
        }
        return true;
    }

    /**
     * Bytes read straight from the channel. Not {@code Channels.newInputStream}: its streams lock the
     * channel's blocking lock, so a read waiting for the client's end would block every write.
     */
    static InputStream input(SocketChannel channel) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                return channel.read(ByteBuffer.wrap(b, off, len));
            }
        };
    }

    /** Bytes written straight to the channel (see {@link #input} for why not {@code Channels}). */
    static OutputStream output(SocketChannel channel) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        };
    }

    /** Frames onto a channel; the command's two streams share it, so each frame is written whole. */
    static final class FrameWriter {
        private final SocketChannel channel;

        FrameWriter(SocketChannel channel) {
            this.channel = channel;
        }

        synchronized void frame(byte kind, byte[] bytes, int off, int len) throws IOException {
            ByteBuffer header = ByteBuffer.allocate(5).put(kind).putInt(len).flip();
            ByteBuffer body = ByteBuffer.wrap(bytes, off, len);
            while (header.hasRemaining() || body.hasRemaining()) {
                channel.write(new ByteBuffer[] {header, body});
            }
        }

        /** The last frame: {@code EXIT} with the exit code where a length would be. */
        synchronized void exit(int code) throws IOException {
            ByteBuffer frame = ByteBuffer.allocate(5).put(EXIT).putInt(code).flip();
            while (frame.hasRemaining()) {
                channel.write(frame);
            }
        }

        /** One of the command's streams: each write becomes a frame of {@code kind}. */
        OutputStream stream(byte kind) {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (len > 0) {
                        frame(kind, b, off, len);
                    }
                }
            };
        }
    }

    /** Reads the next frame's kind, or -1 at the end of the connection. */
    static int kind(DataInputStream in) throws IOException {
        int kind = in.read();
        if (kind != -1 && kind != OUT && kind != ERR && kind != EXIT) {
            throw new EOFException("an unknown frame kind " + kind);
        }
        return kind;
    }
}
