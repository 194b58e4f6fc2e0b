package dev.patchwright.worker.pack;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Packs a whole directory into one text for a model's context: first a directory tree, then every
 * text file as {@code <file path="rel/path">}...{@code </file>}, in sorted path order.
 *
 * <p>The directory is hostile input: links are never followed, no file whose real path is outside
 * the root is read, {@code .git} is never packed. {@code .gitignore} files (nested ones too) and
 * the extra patterns are honoured; binaries (a NUL byte or invalid UTF-8 in the first 8 KiB,
 * whatever the name) and files over the size cap are left out. The output is streamed, and the
 * same directory always gives the same output.
 */
public final class ContextPacker {

    /** The default size cap of one file: 1 MiB. */
    public static final long DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
    private static final int SNIFF_BYTES = 8192;

    /**
     * @param maxFileBytes  files larger than this many bytes are left out; positive
     * @param extraIgnores  gitignore-style patterns relative to the root, applied before and
     *                      regardless of any {@code .gitignore}
     */
    public record Options(long maxFileBytes, List<String> extraIgnores) {

        public Options {
            if (maxFileBytes <= 0) {
                throw new IllegalArgumentException("maxFileBytes must be positive, was " + maxFileBytes);
            }
            extraIgnores = List.copyOf(extraIgnores);
        }

        /** A 1 MiB cap and no extra patterns. */
        public static Options defaults() {
            return new Options(DEFAULT_MAX_FILE_BYTES, List.of());
        }

        public Options withMaxFileBytes(long bytes) {
            return new Options(bytes, extraIgnores);
        }

        public Options withExtraIgnores(List<String> patterns) {
            return new Options(maxFileBytes, patterns);
        }
    }

    private final Options options;

    /** A packer with {@link Options#defaults()}. */
    public ContextPacker() {
        this(Options.defaults());
    }

    /** @throws IllegalArgumentException when an extra pattern is not a valid gitignore pattern */
    public ContextPacker(Options options) {
        this.options = options;
        new IgnoreRules(options.extraIgnores(), 0); // reject bad patterns here, not in the middle of a pack
    }

    /**
     * Packs the directory {@code root} into {@code out}, which is flushed but not closed.
     *
     * @return what was packed and what was left out
     * @throws IOException when {@code root} is not a directory, or reading or writing fails
     */
    public PackStats pack(Path root, Writer out) throws IOException {
        Path realRoot = root.toRealPath();
        if (!Files.isDirectory(realRoot)) {
            throw new IOException("cannot pack " + root + ": not a directory");
        }
        List<String> files = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        IgnoreRules rules = new IgnoreRules(options.extraIgnores(), options.maxFileBytes());
        select(realRoot, realRoot, "", rules, files, skipped);

        Utf8CountingWriter counted = new Utf8CountingWriter(out);
        writeTree(files, counted);
        char[] buffer = new char[8192];
        for (String path : files) {
            counted.write("<file path=\"" + escape(path) + "\">\n");
            try (Reader reader = open(realRoot, path)) {
                for (int n; (n = reader.read(buffer)) > 0; ) {
                    counted.write(buffer, 0, n);
                }
            }
            counted.write(counted.last() == '\n' ? "</file>\n" : "\n</file>\n");
        }
        counted.flush();
        return new PackStats(files.size(), counted.bytes(), counted.bytes() / 4, skipped);
    }

    /** Walks one directory in name order, adding packable files and recording what is left out. */
    private void select(Path realRoot, Path dir, String relative, IgnoreRules rules, List<String> files,
                        Map<String, String> skipped) throws IOException {
        rules.enter(dir, relative);
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(children::add);
        }
        children.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        for (Path child : children) {
            String name = child.getFileName().toString();
            if (name.equals(".git")) {
                continue;
            }
            String path = relative.isEmpty() ? name : relative + "/" + name;
            BasicFileAttributes attributes = Files.readAttributes(child, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) {
                skipped.put(path, "symbolic link, not followed");
            } else if (attributes.isDirectory()) {
                String ignored = rules.reason(path, true);
                if (ignored != null) {
                    skipped.put(path + "/", ignored);
                } else {
                    select(realRoot, child, path, rules, files, skipped);
                }
            } else if (!attributes.isRegularFile()) {
                skipped.put(path, "not a regular file");
            } else {
                String reason = rules.reason(path, false);
                if (reason == null && attributes.size() > options.maxFileBytes()) {
                    reason = "larger than the cap of " + options.maxFileBytes() + " bytes (" + attributes.size()
                            + " bytes)";
                }
                if (reason == null) {
                    reason = sniff(realRoot, child);
                }
                if (reason == null) {
                    files.add(path);
                } else {
                    skipped.put(path, reason);
                }
            }
        }
        rules.leave();
    }

    /** Why a file is not text, judged by its first 8 KiB, or null when it is. */
    private static String sniff(Path realRoot, Path file) throws IOException {
        byte[] head;
        boolean whole;
        try (InputStream in = openBytes(realRoot, file)) {
            head = in.readNBytes(SNIFF_BYTES);
            whole = head.length < SNIFF_BYTES || in.read() < 0;
        }
        for (byte b : head) {
            if (b == 0) {
                return "binary (NUL byte)";
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer bytes = ByteBuffer.wrap(head);
        CharBuffer chars = CharBuffer.allocate(head.length);
        // A multi-byte character cut at 8 KiB is fine; one cut at the end of the file is not.
        CoderResult result = decoder.decode(bytes, chars, whole);
        if (!result.isError() && whole) {
            result = decoder.flush(chars);
        }
        return result.isError() ? "binary (not valid UTF-8)" : null;
    }

    /** The file as text, at most the size cap, with any invalid UTF-8 past the first 8 KiB replaced. */
    private Reader open(Path realRoot, String path) throws IOException {
        InputStream in = openBytes(realRoot, realRoot.resolve(path));
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        return new InputStreamReader(new CappedInputStream(in, options.maxFileBytes()), decoder);
    }

    /** Opens a file without following a link, after checking that its real path is under the root. */
    private static InputStream openBytes(Path realRoot, Path file) throws IOException {
        if (!file.getParent().toRealPath().startsWith(realRoot)) {
            throw new IOException("refusing to read " + file + ": it lies outside " + realRoot);
        }
        return Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }

    /** Writes the packed files as an indented tree; directories end in '/'. */
    private static void writeTree(List<String> files, Writer out) throws IOException {
        out.write("<directory_tree>\n");
        String[] open = new String[0];
        for (String path : files) {
            String[] parts = path.split("/");
            int same = 0;
            while (same < open.length && same < parts.length - 1 && open[same].equals(parts[same])) {
                same++;
            }
            for (int depth = same; depth < parts.length - 1; depth++) {
                out.write("  ".repeat(depth) + escape(parts[depth]) + "/\n");
            }
            out.write("  ".repeat(parts.length - 1) + escape(parts[parts.length - 1]) + "\n");
            open = parts;
        }
        out.write("</directory_tree>\n\n");
    }

    /** Escapes text for an XML attribute; control characters become character references. */
    static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append("&#").append((int) c).append(';');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
