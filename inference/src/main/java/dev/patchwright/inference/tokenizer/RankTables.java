package dev.patchwright.inference.tokenizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A tiktoken encoding's tokens and the merges derived from them, kept in a compact binary file so
 * that a process does not decode 200k base64 lines and derive every merge again at each start
 * (about half a second for {@code o200k_base}, most of what a short {@code pack} spends).
 *
 * <p>The file is named after a digest of the rank file it came from, so a changed rank file is
 * never read through a stale cache; a file that cannot be read is ignored and written again. The
 * directory is {@code -Dpatchwright.tokenizer.cache}, else {@code $XDG_CACHE_HOME/patchwright/tokenizers},
 * else {@code ~/.cache/patchwright/tokenizers}; when it cannot be written the tables are derived
 * each time, as before.
 */
record RankTables(byte[][] tokens, int[] mergeLeft, int[] mergeRight, int[] mergeId) {

    private static final int MAGIC = 0x50575254; // "PWRT"
    private static final int FORMAT = 2;

    /** The tables of a rank file, from the cache when it holds them. */
    static RankTables of(String name, byte[] rankFile, Deriver deriver) {
        Path file = cacheFile(name, rankFile);
        if (file != null && Files.isRegularFile(file)) {
            try {
                return read(Files.readAllBytes(file));
            } catch (IOException | RuntimeException unreadable) {
                // A torn or foreign file: derive again and replace it.
            }
        }
        RankTables tables = deriver.derive();
        if (file != null) {
            try {
                write(tables, file);
            } catch (IOException | RuntimeException unwritable) {
                // No cache this time; the next process derives again.
            }
        }
        return tables;
    }

    /** Derives the tables from the rank file when the cache cannot serve them. */
    interface Deriver {
        RankTables derive();
    }

    private static Path cacheFile(String name, byte[] rankFile) {
        String dir = System.getProperty("patchwright.tokenizer.cache");
        if (dir == null || dir.isBlank()) {
            String xdg = System.getenv("XDG_CACHE_HOME");
            String home = System.getProperty("user.home");
            if ((xdg == null || xdg.isBlank()) && home == null) {
                return null;
            }
            dir = (xdg != null && !xdg.isBlank() ? xdg : home + "/.cache") + "/patchwright/tokenizers";
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(rankFile);
            return Path.of(dir, name + "-" + HexFormat.of().formatHex(digest, 0, 12) + ".bin");
        } catch (NoSuchAlgorithmException e) {
            return null;
        }
    }

    private static RankTables read(byte[] bytes) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (bytes.length < 24 || in.getInt() != MAGIC || in.getInt() != FORMAT) {
            throw new IOException("not a rank table file");
        }
        int count = in.getInt();
        int[] lengths = new int[count];
        in.asIntBuffer().get(lengths);
        in.position(in.position() + 4 * count);
        byte[][] tokens = new byte[count][];
        for (int i = 0; i < count; i++) {
            if (lengths[i] >= 0) {
                tokens[i] = new byte[lengths[i]];
                in.get(tokens[i]);
            }
        }
        int merges = in.getInt();
        int[] left = new int[merges];
        int[] right = new int[merges];
        int[] id = new int[merges];
        for (int[] column : new int[][] {left, right, id}) {
            in.asIntBuffer().get(column);
            in.position(in.position() + 4 * merges);
        }
        if (in.getInt() != MAGIC) {
            throw new IOException("truncated rank table file");
        }
        return new RankTables(tokens, left, right, id);
    }

    private static void write(RankTables tables, Path file) throws IOException {
        int tokenBytes = 0;
        for (byte[] token : tables.tokens) {
            tokenBytes += token == null ? 0 : token.length;
        }
        int merges = tables.mergeLeft.length;
        ByteBuffer out = ByteBuffer.allocate(20 + 4 * tables.tokens.length + tokenBytes + 12 * merges);
        out.putInt(MAGIC).putInt(FORMAT).putInt(tables.tokens.length);
        for (byte[] token : tables.tokens) {
            out.putInt(token == null ? -1 : token.length);
        }
        for (byte[] token : tables.tokens) {
            if (token != null) {
                out.put(token);
            }
        }
        out.putInt(merges);
        for (int[] column : new int[][] {tables.mergeLeft, tables.mergeRight, tables.mergeId}) {
            for (int value : column) {
                out.putInt(value);
            }
        }
        out.putInt(MAGIC);
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        try {
            Files.write(temp, out.array());
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Trims merge arrays that were sized generously while deriving. */
    static RankTables of(byte[][] tokens, int[] left, int[] right, int[] id, int merges) {
        return new RankTables(tokens, Arrays.copyOf(left, merges), Arrays.copyOf(right, merges),
                Arrays.copyOf(id, merges));
    }
}
