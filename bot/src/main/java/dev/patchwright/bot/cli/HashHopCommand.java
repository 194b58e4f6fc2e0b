package dev.patchwright.bot.cli;

import dev.patchwright.inference.eval.hashhop.CellResult;
import dev.patchwright.inference.eval.hashhop.EvalResults;
import dev.patchwright.inference.eval.hashhop.HashHopCharts;
import dev.patchwright.inference.eval.hashhop.HashHopEval;
import dev.patchwright.inference.eval.hashhop.HashHopGenerator;
import dev.patchwright.inference.eval.hashhop.HashHopReport;
import dev.patchwright.inference.eval.hashhop.TaskSize;
import dev.patchwright.inference.eval.hashhop.Variant;
import dev.patchwright.inference.money.Budget;
import dev.patchwright.inference.money.Money;
import dev.patchwright.inference.money.Price;
import dev.patchwright.inference.local.LocalModel;
import dev.patchwright.inference.model.Model;
import dev.patchwright.inference.openai.OpenAiCompatibleModel;
import dev.patchwright.inference.tokenizer.Tokenizer;
import dev.patchwright.inference.tokenizer.Tokenizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code patchwright eval hashhop}: the HashHop long-context eval over a grid, within a money budget. */
@Command(name = "hashhop", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"HashHop: does the model really use its long context? Asks it to follow chains of random "
                + "hashes hidden in prompts of the given sizes, one call per size x hops x variant, and writes "
                + "results.json and PNG charts to --out. The table goes to stdout, progress to stderr.",
                "Money: each call first reserves its worst case at the model's price; a cell that does not fit in "
                + "what is left of --budget is not run (the table says so). Exit 0 when every cell ran or was "
                + "skipped for budget, 1 when a model call failed, 2 for bad options, 3 when output cannot be written."},
        subcommands = {HashHopGenerateCommand.class})
final class HashHopCommand implements Callable<Integer> {

    @Mixin
    ModelOptions backend;

    @Option(names = "--tokens", split = ",", paramLabel = "SIZE",
            description = "prompt sizes in tokens of --tokenizer, such as 8k,32k,128k (k = 1,000)")
    List<String> tokens = new ArrayList<>();

    @Option(names = "--chars", split = ",", paramLabel = "SIZE", description = "prompt sizes in characters instead of tokens")
    List<String> chars = new ArrayList<>();

    @Option(names = "--hops", split = ",", defaultValue = "1,2,4", description = "links per chain (default ${DEFAULT-VALUE})")
    List<Integer> hops;

    @Option(names = "--variant", split = ",", defaultValue = "direct,cot",
            description = "direct (answer the last hash), cot (answer the whole chain) or both (default ${DEFAULT-VALUE})")
    List<String> variants;

    @Option(names = "--queries", defaultValue = "20", description = "queries per prompt, all asked in one call (default ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--seed", defaultValue = "1", description = "the same seed makes the same prompts (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--budget", paramLabel = "DOLLARS", description = "the most money the run may spend, such as 5 or $0.50 (required)")
    String budget;

    @Option(names = "--tokenizer", defaultValue = "o200k_base",
            description = "counts tokens for --tokens and for reservations: o200k_base, cl100k_base or hf:<tokenizer.json> (default ${DEFAULT-VALUE})")
    String tokenizer;

    @Option(names = "--max-output-tokens", defaultValue = "0",
            description = "the most tokens one answer may have (default: room for the answer lines, about 12 tokens a hash)")
    int maxOutputTokens;

    @Option(names = "--timeout", defaultValue = "600", description = "seconds one model call may take (default ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Option(names = "--hash-length", defaultValue = "16", description = "characters per hash (default ${DEFAULT-VALUE})")
    int hashLength;

    @Option(names = "--out", defaultValue = "hashhop-out", description = "folder for results.json and the charts (default ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() {
        PrintStream err = System.err;
        HashHopEval.Settings settings;
        Price modelPrice;
        Money limit;
        Tokenizer counter;
        Model model = null;
        try {
            if (backend.modelUrl == null || backend.modelUrl.isBlank()) {
                backend.model(Duration.ZERO); // says what is missing, before the other checks
            }
            if (budget == null) {
                throw new IllegalArgumentException("--budget is required: the most money the run may spend, such as 5");
            }
            limit = Money.parse(budget);
            if (tokens.isEmpty() == chars.isEmpty()) {
                throw new IllegalArgumentException("give the prompt sizes with either --tokens (such as 8k,32k) or --chars, not both");
            }
            if (hashLength < 4) {
                throw new IllegalArgumentException("--hash-length must be at least 4, was " + hashLength);
            }
            if (timeoutSeconds < 1) {
                throw new IllegalArgumentException("--timeout must be at least 1 second, was " + timeoutSeconds);
            }
            counter = Tokenizers.load(tokenizer);
            List<TaskSize> sizes = new ArrayList<>();
            for (String size : tokens.isEmpty() ? chars : tokens) {
                sizes.add(TaskSize.parse(size, tokens.isEmpty() ? null : counter));
            }
            for (int h : hops) {
                if (h < 1) {
                    throw new IllegalArgumentException("--hops must be at least 1, was " + h);
                }
            }
            List<Variant> parsed = variants.stream().map(Variant::parse).distinct().toList();
            model = backend.model(Duration.ofSeconds(timeoutSeconds));
            modelPrice = backend.price(model);
            int retries = model instanceof OpenAiCompatibleModel client ? client.maxRetries() : 0;
            Duration worstCall = Duration.ofSeconds(timeoutSeconds).multipliedBy(retries + 1L);
            settings = new HashHopEval.Settings(sizes, hops, parsed, queries, seed, maxOutputTokens, worstCall);
            Files.createDirectories(out);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            close(model);
            return 2;
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            close(model);
            return 3;
        }
        EvalResults results = new HashHopEval(model, counter, modelPrice, new Budget(limit), new HashHopGenerator(hashLength))
                .run(settings, line -> err.println("[hashhop] " + line));
        close(model);
        System.out.print(HashHopReport.table(results));
        System.out.flush();
        try {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("url", backend.modelUrl);
            run.put("tokenizer", counter.name());
            run.put("hashLength", hashLength);
            Path json = out.resolve("results.json");
            HashHopReport.writeJson(results, run, json);
            List<Path> charts = HashHopCharts.write(results, out);
            err.println("wrote " + json + " and " + charts.stream().map(p -> p.getFileName().toString()).toList());
        } catch (IOException e) {
            err.println("error: cannot write the results to " + out + ": " + e.getMessage());
            return 3;
        }
        return results.cells().stream().anyMatch(c -> c.status() == CellResult.Status.FAILED) ? 1 : 0;
    }

    private static void close(Model model) {
        if (model instanceof LocalModel local) {
            local.close();
        }
    }


}
