package dev.patchwright.inference.eval.hashhop;

import dev.patchwright.inference.model.ChatMessage;
import dev.patchwright.inference.model.ChatRequest;
import dev.patchwright.inference.model.Completion;
import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.model.Model;
import dev.patchwright.inference.model.Usage;
import dev.patchwright.inference.money.Budget;
import dev.patchwright.inference.money.Money;
import dev.patchwright.inference.money.Price;
import dev.patchwright.inference.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs HashHop over a grid of sizes × hops × variants against one model, one call per cell, within a money
 * budget. Before each call the worst case is reserved: as many prompt tokens as the messages have UTF-8 bytes
 * (no byte-level tokenizer, whichever the backend runs, makes more) plus a per-message allowance for the chat
 * template, at the input price, plus every output token the call may generate at the output price (plus, for a model priced by the GPU-hour,
 * the longest the call may take). A cell whose reservation does not fit is not run and says so; the others still
 * run when they fit. Afterwards the reservation is settled with the usage the backend reports.
 */
public final class HashHopEval {

    /** Tokens reserved per message and per request for the chat template's markers. */
    public static final int TEMPLATE_TOKENS = Price.TEMPLATE_TOKENS;

    /**
     * What to run.
     *
     * @param sizes prompt sizes
     * @param hops chain lengths
     * @param variants direct, chain of thought or both
     * @param queries queries per prompt, all asked in one call
     * @param seed the same seed makes the same prompts
     * @param maxOutputTokens the most tokens one answer may have; 0 for {@link #defaultMaxOutputTokens}
     * @param worstCaseCallTime the longest one call may take (its timeout with retries), reserved for GPU-hour prices
     */
    public record Settings(List<TaskSize> sizes, List<Integer> hops, List<Variant> variants, int queries, long seed,
            int maxOutputTokens, Duration worstCaseCallTime) {

        /** @throws IllegalArgumentException naming the empty or out-of-range setting */
        public Settings {
            if (sizes.isEmpty() || hops.isEmpty() || variants.isEmpty()) {
                throw new IllegalArgumentException("the grid needs at least one size, one hops value and one variant");
            }
            if (queries < 1) {
                throw new IllegalArgumentException("queries must be at least 1, was " + queries);
            }
            if (maxOutputTokens < 0) {
                throw new IllegalArgumentException("maxOutputTokens must not be negative, was " + maxOutputTokens);
            }
            sizes = List.copyOf(sizes);
            hops = List.copyOf(hops);
            variants = List.copyOf(variants);
        }
    }

    private final Model model;
    private final Tokenizer tokenizer;
    private final Price price;
    private final Budget budget;
    private final HashHopGenerator generator;

    /**
     * @param model the model asked
     * @param tokenizer counts prompt tokens for reservations
     * @param price the model's price
     * @param budget the money the run may spend; shared, so one budget can span several runs
     * @param generator makes the prompts
     */
    public HashHopEval(Model model, Tokenizer tokenizer, Price price, Budget budget, HashHopGenerator generator) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.price = price;
        this.budget = budget;
        this.generator = generator;
    }

    /** Room for one answer line per query: about twelve tokens a hash, and some slack. */
    public static int defaultMaxOutputTokens(int queries, int hops, Variant variant) {
        int hashes = variant == Variant.COT ? hops + 1 : 2;
        return 64 + queries * (hashes * 12 + 16);
    }

    /**
     * Runs every cell, smallest sizes first.
     *
     * @param progress told one line as each cell starts and ends
     */
    public EvalResults run(Settings settings, Consumer<String> progress) {
        List<CellResult> cells = new ArrayList<>();
        for (TaskSize size : settings.sizes()) {
            for (int hops : settings.hops()) {
                for (Variant variant : settings.variants()) {
                    CellResult cell = cell(settings, size, hops, variant, progress);
                    progress.accept(String.format(java.util.Locale.ROOT, "%s hops=%d %s: %s%s", size.label(), hops,
                            variant.label(), cell.status().label(), cell.status() == CellResult.Status.DONE
                                    ? " " + cell.correct() + "/" + cell.scores().size() + ", " + cell.cost()
                                    : " (" + cell.reason() + ")"));
                    cells.add(cell);
                }
            }
        }
        return new EvalResults(model.name(), settings, price, budget.limit(), cells);
    }

    private CellResult cell(Settings settings, TaskSize size, int hops, Variant variant, Consumer<String> progress) {
        HashHopTask task;
        try {
            task = generator.generate(size, hops, variant, settings.queries(), settings.seed());
        } catch (IllegalArgumentException e) {
            return notRun(size, hops, variant, CellResult.Status.FAILED, e.getMessage(), 0, 0);
        }
        List<ChatMessage> messages = HashHopPrompt.messages(task);
        long counted = messages.stream().mapToLong(m -> tokenizer.count(m.content())).sum();
        long chars = task.prompt().length();
        int maxTokens = settings.maxOutputTokens() > 0 ? settings.maxOutputTokens()
                : defaultMaxOutputTokens(settings.queries(), hops, variant);
        // The eval's tokenizer may not be the backend's: bound by bytes, which every token covers at least one of.
        ChatRequest request = new ChatRequest(messages, maxTokens, 0.0, 1, settings.seed());
        Money worstCase = price.worstCase(request, settings.worstCaseCallTime());
        Optional<Budget.Reservation> held = budget.reserve(worstCase);
        if (held.isEmpty()) {
            return notRun(size, hops, variant, CellResult.Status.SKIPPED_BUDGET, "budget: its worst case is "
                    + worstCase + ", " + budget.available() + " left", chars, counted);
        }
        Budget.Reservation reservation = held.get();
        progress.accept(String.format(java.util.Locale.ROOT, "%s hops=%d %s: asking (%,d tokens, %d queries, "
                + "reserved %s)", size.label(), hops, variant.label(), counted, settings.queries(), worstCase));
        long started = System.nanoTime();
        Completion completion;
        try {
            completion = model.complete(request);
        } catch (InferenceException e) {
            reservation.release();
            return notRun(size, hops, variant, CellResult.Status.FAILED, e.getMessage(), chars, counted);
        }
        Money cost = price.cost(completion.usage());
        if (!price.perGpuHour().isZero()) {
            cost = cost.plus(price.cost(Duration.ofNanos(System.nanoTime() - started)));
        }
        reservation.settle(cost);
        String answer = completion.choices().isEmpty() ? "" : completion.choices().get(0);
        return new CellResult(size, hops, variant, CellResult.Status.DONE, "", chars, counted,
                HashHopScorer.score(task, answer), completion.usage(), cost, worstCase);
    }

    private static CellResult notRun(TaskSize size, int hops, Variant variant, CellResult.Status status, String reason,
            long chars, long tokens) {
        return new CellResult(size, hops, variant, status, reason, chars, tokens, List.of(), Usage.ZERO, Money.ZERO,
                Money.ZERO);
    }
}
