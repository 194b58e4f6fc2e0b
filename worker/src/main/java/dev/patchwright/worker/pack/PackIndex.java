package dev.patchwright.worker.pack;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.eclipse.jgit.lib.ObjectId;

/**
 * What a pack written to a file holds, kept beside the token counts so that the next pack into the
 * same file can copy the sections of unchanged files instead of reading, scanning and counting them
 * again: for each packed file its byte range in the output, its tokens and its redactions; for each
 * file left out by its content, why. A file is known unchanged by its blob id (a commit's tree) or by
 * its {@link FileStamp} (a worktree). The index is trusted only while the output file keeps the stamp
 * it had when the index was written, so an output that anyone touched since is packed afresh.
 */
final class PackIndex {

    private static final int MAGIC = 0x50574958; // "PWIX"
    private static final int VERSION = 1;

    /** A file as a pack saw it: by its blob id, or (on disk) by its stamp; either may be null. */
    interface Seen {
        ObjectId blob();

        FileStamp stamp();
    }

    /** One packed file: {@code length} bytes at {@code offset} in the output hold its header, content and footer. */
    record Section(String path, ObjectId blob, FileStamp stamp, long offset, long length, int tokens,
                   int wrapTokens, List<SecretScanner.Finding> redactions) implements Seen {
    }

    /** A file left out because of what it holds (binary, generated, minified). */
    record Sniffed(String path, ObjectId blob, FileStamp stamp, Skip skip) implements Seen {
    }

    final String fingerprint;
    final FileStamp output;
    /** When the pack that wrote this index started reading files, in nanoseconds since the epoch. */
    final long readNanos;
    final ObjectId treeDigest;
    final int treeTokens;
    final Map<String, Section> sections;
    final Map<String, Sniffed> sniffed;

    PackIndex(String fingerprint, FileStamp output, long readNanos, ObjectId treeDigest, int treeTokens,
              Map<String, Section> sections, Map<String, Sniffed> sniffed) {
        this.fingerprint = fingerprint;
        this.output = output;
        this.readNanos = readNanos;
        this.treeDigest = treeDigest;
        this.treeTokens = treeTokens;
        this.sections = sections;
        this.sniffed = sniffed;
    }

    /** Whether {@code entry} is certainly the file that {@code seen} describes, unchanged. */
    boolean unchanged(PackSource.Entry entry, Seen seen) {
        if (entry.blob() != null) {
            return entry.blob().equals(seen.blob());
        }
        return entry.stamp() != null && seen.stamp() != null && seen.stamp().unchangedSince(readNanos, entry.stamp());
    }

    /**
     * The index of the last pack written to {@code out} with the same {@code fingerprint}, or null
     * when there is none, it cannot be read, or {@code out} changed since.
     */
    static PackIndex load(Path cacheDir, Path out, String fingerprint) {
        Path file = location(cacheDir, out);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION || !in.readUTF().equals(fingerprint)) {
                return null;
            }
            FileStamp output = readStamp(in);
            if (output == null || !output.equals(stampOf(out))) {
                return null;
            }
            long readNanos = in.readLong();
            ObjectId treeDigest = readId(in);
            int treeTokens = in.readInt();
            Map<String, Section> sections = new HashMap<>();
            for (int n = in.readInt(); n > 0; n--) {
                String path = in.readUTF();
                ObjectId blob = readId(in);
                FileStamp stamp = readStamp(in);
                long offset = in.readLong();
                long length = in.readLong();
                int tokens = in.readInt();
                int wrap = in.readInt();
                List<SecretScanner.Finding> redactions = new ArrayList<>();
                for (int r = in.readInt(); r > 0; r--) {
                    redactions.add(new SecretScanner.Finding(in.readInt(), in.readUTF()));
                }
                sections.put(path, new Section(path, blob, stamp, offset, length, tokens, wrap, List.copyOf(redactions)));
            }
            Map<String, Sniffed> sniffed = new HashMap<>();
            for (int n = in.readInt(); n > 0; n--) {
                String path = in.readUTF();
                ObjectId blob = readId(in);
                FileStamp stamp = readStamp(in);
                Skip skip = new Skip(Skip.Reason.valueOf(in.readUTF()), in.readUTF());
                sniffed.put(path, new Sniffed(path, blob, stamp, skip));
            }
            return new PackIndex(fingerprint, output, readNanos, treeDigest, treeTokens, sections, sniffed);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | IllegalArgumentException e) {
            // A torn or foreign file costs a full pack, never a wrong one.
            return null;
        }
    }

    /** Writes this index for {@code out}, replacing the one before in one rename. */
    void store(Path cacheDir, Path out) throws IOException {
        Path file = location(cacheDir, out);
        Files.createDirectories(file.getParent());
        Path partial = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".partial");
        try {
            try (OutputStream raw = Files.newOutputStream(partial);
                 DataOutputStream data = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16))) {
                data.writeInt(MAGIC);
                data.writeInt(VERSION);
                data.writeUTF(fingerprint);
                writeStamp(data, output);
                data.writeLong(readNanos);
                writeId(data, treeDigest);
                data.writeInt(treeTokens);
                data.writeInt(sections.size());
                for (Section s : sections.values()) {
                    data.writeUTF(s.path());
                    writeId(data, s.blob());
                    writeStamp(data, s.stamp());
                    data.writeLong(s.offset());
                    data.writeLong(s.length());
                    data.writeInt(s.tokens());
                    data.writeInt(s.wrapTokens());
                    data.writeInt(s.redactions().size());
                    for (SecretScanner.Finding f : s.redactions()) {
                        data.writeInt(f.line());
                        data.writeUTF(f.kind());
                    }
                }
                data.writeInt(sniffed.size());
                for (Sniffed s : sniffed.values()) {
                    data.writeUTF(s.path());
                    writeId(data, s.blob());
                    writeStamp(data, s.stamp());
                    data.writeUTF(s.skip().reason().name());
                    data.writeUTF(s.skip().detail());
                }
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** The stamp of an output file now, or null when it is missing or not a regular file. */
    static FileStamp stampOf(Path out) throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(out, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attributes.isRegularFile() ? FileStamp.of(attributes) : null;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** One index file per output path, named by a digest of the absolute path. */
    private static Path location(Path cacheDir, Path out) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(out.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return cacheDir.resolve("packs").resolve(HexFormat.of().formatHex(digest, 0, 16) + ".idx");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static void writeId(DataOutputStream out, ObjectId id) throws IOException {
        out.writeBoolean(id != null);
        if (id != null) {
            byte[] raw = new byte[20];
            id.copyRawTo(raw, 0);
            out.write(raw);
        }
    }

    private static ObjectId readId(DataInputStream in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        byte[] raw = new byte[20];
        in.readFully(raw);
        return ObjectId.fromRaw(raw);
    }

    private static void writeStamp(DataOutputStream out, FileStamp stamp) throws IOException {
        out.writeBoolean(stamp != null);
        if (stamp != null) {
            out.writeLong(stamp.size());
            out.writeLong(stamp.modifiedNanos());
            out.writeUTF(stamp.fileKey());
        }
    }

    private static FileStamp readStamp(DataInputStream in) throws IOException {
        return in.readBoolean() ? new FileStamp(in.readLong(), in.readLong(), in.readUTF()) : null;
    }
}
