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

    /** Longest string a request may carry: guards the server against a confused peer. */
    private static final int MAX_STRING = 1 << 20;

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
            byte kind = in.readByte();
            String cwd = string(in);
            int count = in.readInt();
            if (count < 0 || count > 100_000) {
                throw new IOException("a request with " + count + " arguments");
            }
            List<String> args = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                args.add(string(in));
            }
            return new Request(kind, cwd, args, in.readBoolean(), string(in), string(in));
        }
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String string(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_STRING) {
            throw new IOException("a request string of " + length + " bytes");
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** A connection to the server on {@code socket}, or {@code null} when none answers there. */
    static SocketChannel connect(Path socket) {
        try {
            return SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether a server answers on {@code socket} now. */
    static boolean answers(Path socket) {
        SocketChannel channel = connect(socket);
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
