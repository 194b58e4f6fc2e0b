package dev.patchwright.worker.pack;

import dev.patchwright.inference.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.jgit.lib.ObjectId;

/**
 * The window-less pack into a file, in two passes that each read a file at most once. The first
 * decides every file's fate: its section copied from the last pack into the same file (when the
 * {@link PackIndex} knows it unchanged), left out for what it holds (judged from its first bytes), or
 * to be read. The second writes the tree and then the sections in order: runs of copied sections move
 * from the old file to the new one inside the kernel, and files to be read are read, redacted and
 * counted a few at a time on the pool. The output replaces the file in one rename when complete.
 */
final class PackFileWriter {

    /** Writes into a channel and says what it wrote. */
    interface ChannelWrite<T> {
        T write(FileChannel channel) throws IOException;
    }

    /** A file's fate from the first pass: copy {@code copy}, leave it out for {@code skip}, or (both null) read it. */
    private record Plan(PackSource.Entry entry, PackIndex.Section copy, PackIndex.Sniffed skip, boolean hashed) {
        Plan(PackSource.Entry entry, PackIndex.Section copy, PackIndex.Sniffed skip) {
            this(entry, copy, skip, false);
        }
    }

    /** A section read and rendered in the second pass. */
    private record Rendered(byte[] bytes, ObjectId blob, int tokens, int wrapTokens,
                            List<SecretScanner.Finding> redactions) {
    }

    private final PackOptions options;

    PackFileWriter(PackOptions options) {
        this.options = options;
    }

    PackStats pack(PackSource source, Path out) throws IOException {
        long started = System.nanoTime();
        Instant now = Instant.now();
        long readNanos = TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
        Path target = out.toAbsolutePath().normalize();
        Tokenizer tokenizer = options.tokenizer();
        ContextPacker.Walk walk = ContextPacker.walk(source, options);
        Map<String, Skip> skipped = walk.skipped();
        String fingerprint = options.format() + "\0" + tokenizer.name() + "\0" + TokenCountCache.VERSION;
        PackIndex previous = options.cacheDir() == null ? null : PackIndex.load(options.cacheDir(), target, fingerprint);
        ExecutorService pool = ContextPacker.pool(options.threads());
        try (TokenCountCache cache = options.cacheDir() == null ? TokenCountCache.inMemory()
                : TokenCountCache.open(options.cacheDir(), tokenizer.name())) {
            List<Future<Plan>> planned = new ArrayList<>(walk.entries().size());
            for (PackSource.Entry entry : walk.entries()) {
                planned.add(pool.submit(() -> plan(source, entry, previous)));
            }
            List<Plan> packed = new ArrayList<>();
            Map<String, PackIndex.Sniffed> sniffed = new HashMap<>();
            for (Future<Plan> future : planned) {
                Plan plan = ContextPacker.await(future);
                if (plan.skip() != null) {
                    skipped.put(plan.entry().path(), plan.skip().skip());
                    sniffed.put(plan.entry().path(), plan.skip());
                } else {
                    packed.add(plan);
                }
            }
            String tree = options.format().tree(packed.stream().map(p -> p.entry().path()).toList());
            byte[] treeBytes = tree.getBytes(StandardCharsets.UTF_8);
            ObjectId treeDigest = BlobIds.of(treeBytes);
            int treeTokens = previous != null && treeDigest.equals(previous.treeDigest) ? previous.treeTokens
                    : tokenizer.count(tree);
            AtomicInteger hits = new AtomicInteger();
            Map<String, PackIndex.Section> sections = new LinkedHashMap<>();
            long bytes;
            if (previous != null && unchanged(previous, treeBytes, packed)) {
                // The same files in the same order under the same tree: the file already holds this pack.
                bytes = previous.output.size();
                packed.forEach(plan -> sections.put(plan.entry().path(), plan.copy()));
                hits.addAndGet(packed.size());
                if (options.cacheDir() != null && packed.stream().anyMatch(Plan::hashed)) {
                    // Files were hashed to know them unchanged: record their stamps as of now, or every
                    // later pack would find them as untrustworthy and hash them again.
                    packed.forEach(plan -> sections.put(plan.entry().path(), copied(plan, plan.copy().offset())));
                    new PackIndex(fingerprint, previous.output, readNanos, treeDigest, treeTokens, sections, sniffed)
                            .store(options.cacheDir(), target);
                }
            } else {
                // The last pack stays open until the new one has replaced it, so the rename only drops its
                // name; the kernel frees its blocks when it is closed, off this command's path.
                FileChannel last = previous == null ? null : FileChannel.open(target, StandardOpenOption.READ);
                long estimate = Files.exists(target) ? estimate(treeBytes, packed) : 0;
                try {
                    bytes = replace(target, estimate, channel -> write(channel, last, treeBytes, packed, source, pool,
                            cache, hits, sections));
                } finally {
                    closeLater(last);
                }
                FileStamp stamp = PackIndex.stampOf(target);
                if (options.cacheDir() != null && stamp != null) {
                    new PackIndex(fingerprint, stamp, readNanos, treeDigest, treeTokens, sections, sniffed)
                            .store(options.cacheDir(), target);
                }
            }
            long tokens = treeTokens;
            List<PackStats.PackedFile> files = new ArrayList<>();
            List<PackStats.Redaction> redactions = new ArrayList<>();
            for (Plan plan : packed) {
                PackIndex.Section section = sections.get(plan.entry().path());
                tokens += section.tokens() + section.wrapTokens();
                files.add(new PackStats.PackedFile(section.path(), plan.entry().size(), section.tokens()));
                section.redactions().forEach(f -> redactions.add(new PackStats.Redaction(section.path(), f.line(), f.kind())));
            }
            return new PackStats(source.describe(), tokenizer.name(), options.format(), bytes, tokens, files, skipped,
                    redactions, List.of(), List.of(), hits.get(), Duration.ofNanos(System.nanoTime() - started));
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Whether the pack about to be written is byte for byte the last one: the same tree, then every
     * section copied, each right after the one before, up to the end of the file.
     */
    private static boolean unchanged(PackIndex previous, byte[] tree, List<Plan> packed) {
        if (!BlobIds.of(tree).equals(previous.treeDigest) || packed.size() != previous.sections.size()) {
            return false;
        }
        long offset = tree.length;
        for (Plan plan : packed) {
            if (plan.copy() == null || plan.copy().offset() != offset) {
                return false;
            }
            offset += plan.copy().length();
        }
        return offset == previous.output.size();
    }

    /** The first pass for one file: known from the index, or judged from its first bytes. */
    private Plan plan(PackSource source, PackSource.Entry entry, PackIndex previous) throws IOException {
        String path = entry.path();
        if (previous != null) {
            PackIndex.Section section = previous.sections.get(path);
            if (section != null && previous.unchanged(entry, section)) {
                return new Plan(entry, section, null);
            }
            if (section != null && sameSizeOnDisk(entry, section)
                    && BlobIds.of(source.read(entry, options.maxFileBytes())).equals(section.blob())) {
                // Its stamp says nothing (touched, or changed too close to the last pack) but its
                // content is what the section holds, as git settles a racily clean file: copy it.
                return new Plan(entry, section, null, true);
            }
            PackIndex.Sniffed known = previous.sniffed.get(path);
            if (known != null && previous.unchanged(entry, known)) {
                return new Plan(entry, null, known);
            }
        }
        byte[] start = source.head(entry, SkipRules.SNIFF_BYTES);
        boolean whole = start.length < SkipRules.SNIFF_BYTES || start.length == entry.size();
        if (!SkipRules.startDecides(path, start, whole)) {
            start = source.read(entry, options.maxFileBytes());
            whole = true;
        }
        Skip skip = SkipRules.binary(start, whole);
        skip = skip == null ? SkipRules.generated(path, FileAnalysis.decode(start)) : skip;
        return new Plan(entry, null, skip == null ? null : new PackIndex.Sniffed(path, entry.blob(), entry.stamp(), skip));
    }

    /**
     * A little more than the pack about to be written: the tree, the sections to copy, and each file
     * to read with room for its header and footer. Reserving too much costs nothing (the file is cut
     * to length); too little only loses what reserving gains.
     */
    private static long estimate(byte[] tree, List<Plan> packed) {
        long bytes = tree.length;
        for (Plan plan : packed) {
            bytes += plan.copy() != null ? plan.copy().length() : plan.entry().size() + 2L * plan.entry().path().length() + 256;
        }
        return bytes;
    }

    /**
     * Closes {@code channel} on a thread of its own: closing the last handle of a replaced pack frees
     * its blocks, a few hundredths of a second for a large one that nobody need wait for.
     */
    private static void closeLater(FileChannel channel) {
        if (channel == null) {
            return;
        }
        Thread closer = new Thread(() -> {
            try {
                channel.close();
            } catch (IOException e) {
                // Nothing depends on it: the file is already replaced, and its blocks go with the process.
            }
        }, "pack-release");
        closer.setDaemon(true);
        closer.start();
    }

    /** The section a plan copies, as it stands in this pack: at {@code offset}, with the file's stamp of now. */
    private static PackIndex.Section copied(Plan plan, long offset) {
        PackIndex.Section copy = plan.copy();
        FileStamp stamp = plan.entry().stamp();
        return new PackIndex.Section(copy.path(), copy.blob(), stamp != null ? stamp : copy.stamp(), offset, copy.length(),
                copy.tokens(), copy.wrapTokens(), copy.redactions());
    }

    /** Whether a worktree file has the size it had when {@code section} was written: it may be unchanged. */
    private static boolean sameSizeOnDisk(PackSource.Entry entry, PackIndex.Section section) {
        return entry.blob() == null && entry.stamp() != null && section.stamp() != null && section.blob() != null
                && entry.stamp().size() == section.stamp().size();
    }

    /** Reads, redacts and counts a file, and renders its section. */
    private Rendered render(PackSource source, PackSource.Entry entry, TokenCountCache cache, AtomicInteger hits)
            throws IOException {
        byte[] bytes = source.read(entry, options.maxFileBytes());
        ObjectId blob = entry.blob() != null ? entry.blob() : BlobIds.of(bytes);
        FileAnalysis.Counted counted = FileAnalysis.count(FileAnalysis.decode(bytes), blob, options.tokenizer(), cache,
                hits);
        String content = counted.content();
        OutputFormat format = options.format();
        String open = format.fileOpen(entry.path(), content);
        String close = format.fileClose(entry.path(), content);
        int wrap = FileAnalysis.wrapTokens(format, options.tokenizer(), entry.path(), content);
        byte[] body = counted.redactions().isEmpty() && ascii(bytes) ? bytes : content.getBytes(StandardCharsets.UTF_8);
        byte[] head = open.getBytes(StandardCharsets.UTF_8);
        byte[] tail = close.getBytes(StandardCharsets.UTF_8);
        byte[] section = new byte[head.length + body.length + tail.length];
        System.arraycopy(head, 0, section, 0, head.length);
        System.arraycopy(body, 0, section, head.length, body.length);
        System.arraycopy(tail, 0, section, head.length + body.length, tail.length);
        return new Rendered(section, blob, counted.tokens(), wrap, counted.redactions());
    }

    /** The second pass: the tree, then every packed file's section in order; returns the bytes written. */
    private long write(FileChannel channel, FileChannel previous, byte[] tree, List<Plan> packed, PackSource source,
                       ExecutorService pool, TokenCountCache cache, AtomicInteger hits,
                       Map<String, PackIndex.Section> sections) throws IOException {
        List<Plan> toRead = packed.stream().filter(p -> p.copy() == null).toList();
        Deque<Future<Rendered>> window = new ArrayDeque<>();
        int next = 0;
        Copier copier = new Copier(previous, channel);
        long offset = writeFully(channel, tree);
        for (Plan plan : packed) {
            String path = plan.entry().path();
            FileStamp stamp = plan.entry().stamp();
            PackIndex.Section copy = plan.copy();
            if (copy != null) {
                copier.add(copy.offset(), copy.length());
                sections.put(path, copied(plan, offset));
                offset += copy.length();
                hits.incrementAndGet();
                continue;
            }
            copier.flush();
            while (next < toRead.size() && window.size() < 2 * options.threads() + 2) {
                PackSource.Entry entry = toRead.get(next++).entry();
                window.add(pool.submit(() -> render(source, entry, cache, hits)));
            }
            Rendered rendered = ContextPacker.await(window.poll());
            long length = writeFully(channel, rendered.bytes());
            sections.put(path, new PackIndex.Section(path, rendered.blob(), stamp, offset, length, rendered.tokens(),
                    rendered.wrapTokens(), rendered.redactions()));
            offset += length;
        }
        copier.flush();
        return offset;
    }

    /** Copies runs of adjacent byte ranges from the last pack, each run in as few system calls as it takes. */
    private static final class Copier {
        private final FileChannel from;
        private final FileChannel to;
        private long start = -1;
        private long length;

        Copier(FileChannel from, FileChannel to) {
            this.from = from;
            this.to = to;
        }

        void add(long offset, long count) throws IOException {
            if (start >= 0 && start + length == offset) {
                length += count;
                return;
            }
            flush();
            start = offset;
            length = count;
        }

        void flush() throws IOException {
            while (length > 0) {
                long moved = from.transferTo(start, length, to);
                if (moved <= 0) {
                    throw new IOException("the last pack ended before the index said it would");
                }
                start += moved;
                length -= moved;
            }
            start = -1;
        }
    }

    private static long writeFully(FileChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        return bytes.length;
    }

    private static boolean ascii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes {@code out} through {@code body} into a new file beside it, then renames that over
     * {@code out}: readers see the old pack or the new one, never half of one. The new file keeps the
     * permissions of the one it replaces; a first one is readable by its owner only, as it holds a
     * repository's code.
     */
    static <T> T replace(Path out, ChannelWrite<T> body) throws IOException {
        return replace(out, 0, body);
    }

    /**
     * As {@link #replace(Path, ChannelWrite)}, with blocks for about {@code estimate} bytes reserved
     * first (see {@link Preallocation}); the file is cut to what {@code body} wrote.
     */
    static <T> T replace(Path out, long estimate, ChannelWrite<T> body) throws IOException {
        Path target = out.toAbsolutePath().normalize();
        Path partial = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".partial");
        try {
            T result;
            Preallocation.reserve(partial, estimate);
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                result = body.write(channel);
                channel.truncate(channel.position());
            }
            PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (view != null && Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                PosixFileAttributes attributes = view.readAttributes();
                Files.setPosixFilePermissions(partial, attributes.permissions());
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return result;
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
