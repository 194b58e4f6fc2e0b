package dev.patchwright.worker.pack;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.jgit.lib.ObjectId;

/**
 * Token counts of packed files, by (tokenizer, git blob id of the file's content), with whether the
 * credential scan found nothing in the blob (so a known-clean file is not scanned again), kept across runs
 * in one append-only file per tokenizer under a directory, so an unchanged file is never counted
 * twice. Records are fixed-size (20-byte blob id, 4-byte count) and appended in one write when a
 * pack ends; a torn record at the end, from a process that died mid-write, is ignored. Several
 * processes may share the directory: the worst they do is count a file twice.
 */
final class TokenCountCache implements AutoCloseable {

    /** Bumped when what is counted for a blob changes (redaction rules, decoding). */
    static final String VERSION = "v3";
    /** What {@link #get} answers for a blob it does not know. */
    static final int MISSING = Integer.MIN_VALUE;
    private static final int RECORD = 24;

    private final Path file;
    private final Map<ObjectId, Integer> known = new ConcurrentHashMap<>();
    private final Map<ObjectId, Integer> added = new ConcurrentHashMap<>();

    private TokenCountCache(Path file) {
        this.file = file;
    }

    /** A cache that lives as long as the pack: nothing is read or written. */
    static TokenCountCache inMemory() {
        return new TokenCountCache(null);
    }

    /**
     * Opens (creating the directory when needed) the cache of one tokenizer.
     *
     * @throws IOException when the directory cannot be created or the file cannot be read
     */
    static TokenCountCache open(Path directory, String tokenizerName) throws IOException {
        Files.createDirectories(directory);
        TokenCountCache cache = new TokenCountCache(directory.resolve("token-counts-" + VERSION + "-"
                + digest(tokenizerName) + ".bin"));
        if (Files.isRegularFile(cache.file)) {
            ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(cache.file));
            byte[] id = new byte[20];
            while (bytes.remaining() >= RECORD) {
                bytes.get(id);
                cache.known.put(ObjectId.fromRaw(id), bytes.getInt());
            }
        }
        return cache;
    }

    private static String digest(String name) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /**
     * What is stored for a blob, or {@link #MISSING}: read it with {@link #tokens} and {@link #clean}.
     * A record holds the count for a clean blob and its complement for one the scan redacted.
     */
    int get(ObjectId blob) {
        Integer record = known.get(blob);
        return record == null ? MISSING : record;
    }

    /** The token count of a record (of the redacted content when the blob had credentials). */
    static int tokens(int record) {
        return record < 0 ? ~record : record;
    }

    /** Whether the credential scan found nothing in the blob of a record. */
    static boolean clean(int record) {
        return record >= 0;
    }

    void put(ObjectId blob, int tokens, boolean clean) {
        int record = clean ? tokens : ~tokens;
        if (known.putIfAbsent(blob, record) == null) {
            added.put(blob, record);
        }
    }

    /** Appends what this pack counted; nothing when there is no file behind the cache. */
    @Override
    public void close() throws IOException {
        if (file == null || added.isEmpty()) {
            return;
        }
        ByteBuffer out = ByteBuffer.allocate(added.size() * RECORD);
        byte[] id = new byte[20];
        for (Map.Entry<ObjectId, Integer> entry : added.entrySet()) {
            entry.getKey().copyRawTo(id, 0);
            out.put(id).putInt(entry.getValue());
        }
        out.flip();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            int torn = (int) (channel.size() % RECORD);
            if (torn != 0) {
                // Realign after a torn record: the padded one holds a partial id that no blob has.
                channel.write(ByteBuffer.allocate(RECORD - torn));
            }
            while (out.hasRemaining()) {
                channel.write(out);
            }
        }
        added.clear();
    }
}
