package dev.patchwright.inference.eval.hashhop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.patchwright.inference.model.Usage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A HashHop run as a table for people and as {@code results.json} for programs. */
public final class HashHopReport {

    private HashHopReport() {
    }

    /**
     * One row per cell (size, hops, variant, prompt size, accuracy, whole chains and hops right for chain of thought,
     * tokens, money, status), then the totals.
     */
    public static String table(EvalResults results) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-6s %4s %-7s %9s %9s %14s %8s %10s %10s %10s  %s%n", "size", "hops",
                "variant", "chars", "tokens", "accuracy", "chains", "hops-right", "tokens-in", "spent", "status"));
        for (CellResult c : results.cells()) {
            boolean done = c.status() == CellResult.Status.DONE;
            boolean cot = c.variant() == Variant.COT;
            String accuracy = done ? String.format(Locale.ROOT, "%d/%d %3.0f%%", c.correct(), c.scores().size(),
                    100 * c.accuracy()) : "-";
            sb.append(String.format(Locale.ROOT, "%-6s %4d %-7s %,9d %,9d %14s %8s %10s %,10d %10s  %s%n",
                    c.size().label(), c.hops(), c.variant().label(), c.promptChars(), c.promptTokens(), accuracy,
                    done && cot ? c.chainsCorrect() + "/" + c.scores().size() : "-",
                    done && cot ? String.format(Locale.ROOT, "%.2f/%d", c.meanHopsRight(), c.hops()) : "-",
                    c.usage().promptTokens(), c.cost(), done ? "ok" : c.status().label() + ": " + c.reason()));
        }
        Usage usage = results.usage();
        long notRun = results.cells().size() - results.done().size();
        sb.append(String.format(Locale.ROOT, "%d of %d cells run%s; %,d prompt tokens (%,d cached), %,d completion "
                + "tokens; spent %s of %s (%s)%n", results.done().size(), results.cells().size(),
                notRun == 0 ? "" : ", " + notRun + " not run", usage.promptTokens(), usage.cachedPromptTokens(),
                usage.completionTokens(), results.spent(), results.budget(), results.price()));
        return sb.toString();
    }

    /**
     * Writes {@code results.json}: the settings (with {@code run}, such as the model URL; never a key), totals, and
     * per cell its accuracy, tokens, money and every query's record.
     *
     * @throws IOException when the file cannot be written
     */
    public static void writeJson(EvalResults results, Map<String, Object> run, Path file) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        HashHopEval.Settings s = results.settings();
        Map<String, Object> settings = new LinkedHashMap<>(run);
        settings.put("model", results.model());
        settings.put("sizes", s.sizes().stream().map(TaskSize::label).toList());
        settings.put("sizeUnit", s.sizes().get(0).unit());
        settings.put("hops", s.hops());
        settings.put("variants", s.variants().stream().map(Variant::label).toList());
        settings.put("queries", s.queries());
        settings.put("seed", s.seed());
        settings.put("maxOutputTokens", s.maxOutputTokens() == 0 ? "auto" : s.maxOutputTokens());
        settings.put("budget", results.budget().toString());
        settings.put("price", Map.of("inputPerMillion", results.price().inputPerMillion().toString(),
                "cachedInputPerMillion", results.price().cachedInputPerMillion().toString(),
                "outputPerMillion", results.price().outputPerMillion().toString(),
                "perGpuHour", results.price().perGpuHour().toString()));
        root.put("settings", settings);
        Usage usage = results.usage();
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("cells", results.cells().size());
        totals.put("cellsRun", results.done().size());
        totals.put("promptTokens", usage.promptTokens());
        totals.put("cachedPromptTokens", usage.cachedPromptTokens());
        totals.put("completionTokens", usage.completionTokens());
        totals.put("spent", results.spent().toString());
        totals.put("spentMicroUsd", results.spent().micros());
        root.put("totals", totals);
        List<Map<String, Object>> cells = new ArrayList<>();
        for (CellResult c : results.cells()) {
            Map<String, Object> cell = new LinkedHashMap<>();
            cell.put("size", c.size().label());
            cell.put("sizeRequested", c.size().amount());
            cell.put("hops", c.hops());
            cell.put("variant", c.variant().label());
            cell.put("status", c.status().label());
            cell.put("reason", c.reason());
            cell.put("promptChars", c.promptChars());
            cell.put("promptTokensCounted", c.promptTokens());
            cell.put("accuracy", c.accuracy());
            cell.put("correct", c.correct());
            if (c.variant() == Variant.COT) {
                cell.put("chainsCorrect", c.chainsCorrect());
                cell.put("meanHopsRight", c.meanHopsRight());
            }
            cell.put("usage", Map.of("promptTokens", c.usage().promptTokens(), "cachedPromptTokens",
                    c.usage().cachedPromptTokens(), "completionTokens", c.usage().completionTokens()));
            cell.put("reserved", c.reserved().toString());
            cell.put("spent", c.cost().toString());
            cell.put("spentMicroUsd", c.cost().micros());
            List<Map<String, Object>> queries = new ArrayList<>();
            for (QueryScore q : c.scores()) {
                Map<String, Object> query = new LinkedHashMap<>();
                query.put("query", q.query());
                query.put("target", q.target());
                query.put("answer", q.answer());
                query.put("correct", q.correct());
                if (c.variant() == Variant.COT) {
                    query.put("chainCorrect", q.chainCorrect());
                    query.put("hopsRight", q.hopsRight());
                }
                query.put("depth", q.depth());
                queries.add(query);
            }
            cell.put("queries", queries);
            cells.add(cell);
        }
        root.put("cells", cells);
        Files.writeString(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
    }
}
