package dev.patchwright.bot.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.patchwright.inference.tokenizer.Tokenizer;
import dev.patchwright.inference.tokenizer.Tokenizers;
import dev.patchwright.worker.pack.ContextPacker;
import dev.patchwright.worker.pack.OutputFormat;
import dev.patchwright.worker.pack.PackOptions;
import dev.patchwright.worker.pack.PackStats;
import dev.patchwright.worker.pack.Skip;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code patchwright pack}: a directory packed into one context file, with its statistics. */
@Command(name = "pack", mixinStandardHelpOptions = true,
        description = "Pack a directory into one text for a model's context; statistics go to stderr.")
final class PackCommand implements Callable<Integer> {

    private static final int LISTED = 20;

    private final Invocation invocation;

    PackCommand() {
        this(Invocation.here());
    }

    /** A pack for a caller whose paths and streams {@code invocation} gives (the resident packer's clients). */
    PackCommand(Invocation invocation) {
        this.invocation = invocation;
    }

    @Parameters(index = "0", paramLabel = "<dir>", description = "the directory to pack")
    Path dir;

    @Option(names = "--out", description = "write the pack here (default: standard output)")
    Path out;

    @Option(names = "--format", defaultValue = "xml", description = "xml, markdown or plain (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--tokenizer", defaultValue = "o200k_base",
            description = "o200k_base, cl100k_base or hf:<tokenizer.json> (default: ${DEFAULT-VALUE})")
    String tokenizer;

    @Option(names = "--max-tokens", defaultValue = "0", description = "the window; over it, files are cut by relevance to the task (default: no limit)")
    long maxTokens;

    @Option(names = "--task-file", description = "the task (an issue's text) that decides which files matter when cutting")
    Path taskFile;

    @Option(names = "--stats", arity = "0..1", defaultValue = "table", fallbackValue = "table",
            description = "statistics as a table (default) or as JSON (--stats=json, which lists every packed file)")
    String stats;

    @Option(names = "--ignore", description = "a gitignore-style pattern to leave out; repeatable")
    List<String> ignore = new ArrayList<>();

    @Option(names = "--max-file-bytes", defaultValue = "1048576", description = "files larger than this are left out (default: ${DEFAULT-VALUE})")
    long maxFileBytes;

    @Option(names = "--cache-dir", defaultValue = "${env:PATCHWRIGHT_HOME:-${sys:user.home}/.patchwright}/cache/tokens",
            description = "token counts kept across runs (default: ${DEFAULT-VALUE})")
    Path cacheDir;

    @Override
    public Integer call() {
        PrintStream err = invocation.stderr();
        // Paths as the caller meant them; messages keep them as the caller wrote them.
        Path root = invocation.resolve(dir);
        Path target = invocation.resolve(out);
        PackOptions options;
        try {
            if (!stats.equals("table") && !stats.equals("json")) {
                throw new IllegalArgumentException("--stats must be 'table' or 'json', not '" + stats + "'");
            }
            if (!Files.isDirectory(root)) {
                throw new IllegalArgumentException(dir + " is not a directory");
            }
            String task = "";
            if (taskFile != null) {
                Path taskPath = invocation.resolve(taskFile);
                if (!Files.isRegularFile(taskPath)) {
                    throw new IllegalArgumentException("--task-file " + taskFile + " is not a readable file");
                }
                task = Files.readString(taskPath, StandardCharsets.UTF_8);
            }
            Tokenizer loaded = Tokenizers.deferred(tokenizerSpec());
            options = PackOptions.defaults(loaded).withFormat(OutputFormat.parse(format)).withMaxFileBytes(maxFileBytes)
                    .withExtraIgnores(ignore).withMaxTokens(maxTokens, task).withCacheDir(invocation.resolve(cacheDir));
        } catch (IllegalArgumentException | IOException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        try {
            PackStats result;
            if (out == null) {
                Writer writer = new BufferedWriter(new OutputStreamWriter(invocation.stdout(), StandardCharsets.UTF_8), 1 << 16);
                result = new ContextPacker(options).pack(root, writer);
            } else {
                Path parent = target.toAbsolutePath().getParent();
                if (Files.isDirectory(target) || !Files.isDirectory(parent)) {
                    throw new IllegalArgumentException("--out " + out + " must name a file in an existing directory");
                }
                result = new ContextPacker(options).pack(root, target);
            }
            if (!tokenizer.equals(result.tokenizer())) {
                // A relative hf: file resolved for a caller elsewhere: name it as the caller wrote it.
                result = new PackStats(result.source(), tokenizer, result.format(), result.bytes(), result.tokens(),
                        result.files(), result.skipped(), result.redactions(), result.mapped(), result.omitted(),
                        result.cacheHits(), result.elapsed());
            }
            // Statistics go to stdout when the pack went to a file, so `--stats=json > stats.json` works;
            // when the pack itself is on stdout, they go to stderr.
            PrintStream report = out == null ? err : invocation.stdout();
            if (stats.equals("json")) {
                json(result, report);
            } else {
                report.print(table(result));
            }
            report.flush();
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 3;
        }
    }

    /** The tokenizer spec, with a relative {@code hf:} file resolved against the caller's directory. */
    private String tokenizerSpec() {
        if (invocation.elsewhere() && tokenizer.startsWith("hf:") && tokenizer.length() > 3) {
            return "hf:" + invocation.resolve(Path.of(tokenizer.substring(3)));
        }
        return tokenizer;
    }

    static String table(PackStats s) {
        StringBuilder sb = new StringBuilder();
        row(sb, "source", s.source());
        row(sb, "packed", String.format(Locale.ROOT, "%,d files, %,d bytes, %,d tokens (%s, %s)", s.files().size(),
                s.bytes(), s.tokens(), s.tokenizer(), s.format()));
        StringBuilder reasons = new StringBuilder();
        s.skippedByReason().forEach((reason, count) -> reasons.append(reasons.isEmpty() ? "" : ", ")
                .append(reason.name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(' ').append(count));
        row(sb, "skipped", s.skipped().size() + (s.skipped().isEmpty() ? "" : ": " + reasons));
        int listed = 0;
        for (Map.Entry<String, Skip> entry : s.skipped().entrySet()) {
            if (listed++ == LISTED) {
                sb.append("              ... ").append(s.skipped().size() - LISTED).append(" more (--stats=json lists all)\n");
                break;
            }
            sb.append("              ").append(entry.getKey()).append("  ").append(entry.getValue().detail()).append('\n');
        }
        row(sb, "redacted", s.redactions().size() + " credential" + (s.redactions().size() == 1 ? "" : "s"));
        for (PackStats.Redaction r : s.redactions()) {
            sb.append("              ").append(r.path()).append(':').append(r.line()).append("  ").append(r.kind()).append('\n');
        }
        if (!s.mapped().isEmpty() || !s.omitted().isEmpty()) {
            row(sb, "cut", s.mapped().size() + " files listed in the map only (declarations, or the path alone), " + s.omitted().size()
                    + " left out entirely");
        }
        row(sb, "time", String.format(Locale.ROOT, "%.2f s, %,.0f tokens/s, %d of %d counts from the cache",
                s.elapsed().toNanos() / 1e9, s.tokensPerSecond(), s.cacheHits(), s.files().size()
                        + s.mapped().size() + s.omitted().size()));
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, String value) {
        sb.append(String.format(Locale.ROOT, "%-12s  %s%n", name, value));
    }

    private static final JsonFactory JSON = new JsonFactory();

    /** The statistics as JSON; see {@link #json(PackStats, OutputStream)}. */
    static String json(PackStats s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        json(s, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Writes the statistics as indented JSON, keys always in the same order, every packed file listed.
     * Streamed: a repository of many thousand files costs no tree of maps and no string of it all.
     */
    static void json(PackStats s, OutputStream out) throws IOException {
        try (JsonGenerator json = JSON.createGenerator(out).useDefaultPrettyPrinter()) {
            json.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            json.writeStartObject();
            json.writeStringField("source", s.source());
            json.writeStringField("tokenizer", s.tokenizer());
            json.writeStringField("format", s.format().toString());
            json.writeNumberField("files", s.files().size());
            json.writeNumberField("bytes", s.bytes());
            json.writeNumberField("tokens", s.tokens());
            json.writeNumberField("seconds", s.elapsed().toNanos() / 1e9);
            json.writeNumberField("tokensPerSecond", Math.round(s.tokensPerSecond()));
            json.writeNumberField("cacheHits", s.cacheHits());
            json.writeObjectFieldStart("skippedByReason");
            for (Map.Entry<Skip.Reason, Integer> entry : s.skippedByReason().entrySet()) {
                json.writeNumberField(entry.getKey().name().toLowerCase(Locale.ROOT), entry.getValue());
            }
            json.writeEndObject();
            json.writeArrayFieldStart("skipped");
            for (Map.Entry<String, Skip> entry : s.skipped().entrySet()) {
                json.writeStartObject();
                json.writeStringField("path", entry.getKey());
                json.writeStringField("reason", entry.getValue().reason().name().toLowerCase(Locale.ROOT));
                json.writeStringField("detail", entry.getValue().detail());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("redactions");
            for (PackStats.Redaction r : s.redactions()) {
                json.writeStartObject();
                json.writeStringField("path", r.path());
                json.writeNumberField("line", r.line());
                json.writeStringField("kind", r.kind());
                json.writeEndObject();
            }
            json.writeEndArray();
            stringArray(json, "mapped", s.mapped());
            stringArray(json, "omitted", s.omitted());
            json.writeArrayFieldStart("packed");
            for (PackStats.PackedFile f : s.files()) {
                json.writeStartObject();
                json.writeStringField("path", f.path());
                json.writeNumberField("bytes", f.bytes());
                json.writeNumberField("tokens", f.tokens());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
            json.writeRaw('\n');
        }
    }

    private static void stringArray(JsonGenerator json, String name, List<String> values) throws IOException {
        json.writeArrayFieldStart(name);
        for (String value : values) {
            json.writeString(value);
        }
        json.writeEndArray();
    }
}
