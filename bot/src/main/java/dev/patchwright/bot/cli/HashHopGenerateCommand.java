package dev.patchwright.bot.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.inference.eval.hashhop.HashHopGenerator;
import dev.patchwright.inference.eval.hashhop.HashHopQuery;
import dev.patchwright.inference.eval.hashhop.HashHopTask;
import dev.patchwright.inference.eval.hashhop.TaskSize;
import dev.patchwright.inference.eval.hashhop.Variant;
import dev.patchwright.inference.tokenizer.Tokenizers;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code patchwright eval hashhop generate}: HashHop prompts and targets as JSON lines, no model involved. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write HashHop prompts and targets, one JSON object per line: prompt (the hash lines), completion "
                + "(the original layout: COMPLETION:, Hops=, CoT=, then QUERY = 'TARGET' lines), hops, variant, "
                + "queries (query, target, depth of the first link from 0 to 1), seed, chains, chars, tokens.")
final class HashHopGenerateCommand implements Callable<Integer> {

    static final class Size {
        @Option(names = "--chars", required = true, paramLabel = "N", description = "prompt size in characters (5000, 8k)")
        String chars;

        @Option(names = "--tokens", required = true, paramLabel = "N", description = "prompt size in tokens of --tokenizer (8k, 128k)")
        String tokens;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Size size;

    @Option(names = "--hops", defaultValue = "2", description = "links per chain (default ${DEFAULT-VALUE})")
    int hops;

    @Option(names = "--variant", defaultValue = "direct", description = "direct or cot (default ${DEFAULT-VALUE})")
    String variant;

    @Option(names = "--queries", defaultValue = "20", description = "queries per prompt (default ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the first prompt (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--samples", defaultValue = "1", description = "prompts to write, seeds --seed, --seed+1, ... (default ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--tokenizer", defaultValue = "o200k_base", description = "for --tokens (default ${DEFAULT-VALUE})")
    String tokenizer;

    @Option(names = "--hash-length", defaultValue = "16", description = "characters per hash (default ${DEFAULT-VALUE})")
    int hashLength;

    @Option(names = "--out", description = "the .jsonl file to write (default: standard output)")
    Path out;

    @Override
    public Integer call() {
        List<HashHopTask> tasks = new ArrayList<>();
        try {
            if (samples < 1) {
                throw new IllegalArgumentException("--samples must be at least 1, was " + samples);
            }
            TaskSize taskSize = size.chars != null ? TaskSize.parse(size.chars, null)
                    : TaskSize.parse(size.tokens, Tokenizers.load(tokenizer));
            Variant parsed = Variant.parse(variant);
            HashHopGenerator generator = new HashHopGenerator(hashLength);
            for (int i = 0; i < samples; i++) {
                tasks.add(generator.generate(taskSize, hops, parsed, queries, seed + i));
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        ObjectMapper json = new ObjectMapper();
        try (Writer writer = out == null
                ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
                : Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (int i = 0; i < tasks.size(); i++) {
                writer.write(json.writeValueAsString(line(tasks.get(i), seed + i)));
                writer.write('\n');
            }
        } catch (IOException e) {
            System.err.println("error: cannot write " + (out == null ? "the output" : out) + ": " + e.getMessage());
            return 3;
        }
        if (out != null) {
            System.err.println("wrote " + tasks.size() + " prompt" + (tasks.size() == 1 ? "" : "s") + " to " + out);
        }
        return 0;
    }

    private static Map<String, Object> line(HashHopTask task, long seed) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("prompt", task.prompt());
        line.put("completion", task.completion());
        line.put("hops", task.hops());
        line.put("variant", task.variant().label());
        List<Map<String, Object>> queries = new ArrayList<>();
        for (HashHopQuery q : task.queries()) {
            Map<String, Object> query = new LinkedHashMap<>();
            query.put("query", q.query());
            query.put("target", q.target());
            query.put("depth", q.depth());
            queries.add(query);
        }
        line.put("queries", queries);
        line.put("seed", seed);
        line.put("chains", task.chains());
        line.put("chars", task.prompt().length());
        if (task.size().inTokens()) {
            line.put("tokens", task.measured());
            line.put("tokenizer", task.size().tokenizer().name());
        }
        return line;
    }
}
