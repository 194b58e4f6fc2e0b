package dev.patchwright.worker.budget;

import dev.patchwright.inference.model.ChatRequest;
import dev.patchwright.inference.model.Completion;
import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.model.Model;
import dev.patchwright.inference.model.Usage;
import dev.patchwright.inference.money.Money;
import dev.patchwright.inference.money.Price;

import java.time.Duration;
import java.util.Objects;

/**
 * Every step of a job that costs money goes through here: its worst case is reserved first (refused with
 * {@link BudgetExceededException} when a limit would be passed, and then the step is not taken), and its real cost
 * is settled after.
 *
 * <ul>
 *   <li>A model call holds {@link Price#worstCase} (one prompt token per UTF-8 byte, every completion token it may
 *       generate, and for a GPU-hour price its time limit); it settles its reported usage at the model's price,
 *       plus for a GPU-hour price the compute time the engine reports.</li>
 *   <li>A sandbox run holds its time limit at the CPU-hour price and settles its wall-clock time at that price
 *       (each sandboxed command is counted as one CPU for as long as it runs).</li>
 * </ul>
 */
public final class SpendMeter {

    /** Runs one sandboxed command and says how long it ran. */
    @FunctionalInterface
    public interface SandboxStep<T, E extends Exception> {
        T run() throws E;
    }

    /** What one sandboxed step ran for, read from its result. */
    @FunctionalInterface
    public interface Elapsed<T> {
        Duration of(T result);
    }

    private final SpendGuard guard;
    private final Price modelPrice;
    private final Price sandboxPrice;
    private final Duration modelCallLimit;
    private final boolean priced;

    /**
     * @param guard          where money is held and settled
     * @param modelPrice     the model's price (tokens, and GPU-hours for the local engine)
     * @param sandboxCpuHour the price of one CPU-hour of sandboxed commands
     * @param modelCallLimit the longest one model call may take, held at a GPU-hour price
     */
    public SpendMeter(SpendGuard guard, Price modelPrice, Money sandboxCpuHour, Duration modelCallLimit) {
        this.guard = Objects.requireNonNull(guard, "guard");
        this.modelPrice = Objects.requireNonNull(modelPrice, "modelPrice");
        this.sandboxPrice = new Price(Money.ZERO, Money.ZERO, Money.ZERO, sandboxCpuHour);
        this.modelCallLimit = Objects.requireNonNull(modelCallLimit, "modelCallLimit");
        this.priced = true;
    }

    private SpendMeter() {
        this.guard = MemorySpendGuard.unlimited();
        this.modelPrice = new Price(Money.ZERO, Money.ZERO, Money.ZERO, Money.ZERO);
        this.sandboxPrice = modelPrice;
        this.modelCallLimit = Duration.ofMinutes(10);
        this.priced = false;
    }

    /** False for {@link #free()}: nothing is priced, so there is no quote and no money to report. */
    public boolean priced() {
        return priced;
    }

    /** A meter that prices nothing and refuses nothing, counting tokens only: for tools and tests. */
    public static SpendMeter free() {
        return new SpendMeter();
    }

    /** The guard behind this meter, for status and quotes. */
    public SpendGuard guard() {
        return guard;
    }

    /** The model's price. */
    public Price modelPrice() {
        return modelPrice;
    }

    /** The most {@code request} may cost. */
    public Money worstCase(ChatRequest request) {
        return modelPrice.worstCase(request, modelCallLimit);
    }

    /** The most a sandboxed command with this time limit may cost. */
    public Money worstCase(Duration timeLimit) {
        return sandboxPrice.cost(timeLimit);
    }

    /**
     * Makes one model call within the budget.
     *
     * @throws BudgetExceededException when its worst case does not fit; the model is not called
     * @throws InferenceException      when the call failed; its hold is released
     */
    public Completion complete(Model model, ChatRequest request) throws InferenceException, BudgetExceededException {
        SpendKind kind = modelPrice.perGpuHour().isZero() ? SpendKind.MODEL : SpendKind.LOCAL_ENGINE;
        SpendGuard.Hold hold = guard.reserve(kind, worstCase(request));
        Completion completion;
        try {
            completion = model.complete(request);
        } catch (InferenceException | RuntimeException e) {
            hold.release();
            throw e;
        }
        Money cost = modelPrice.cost(completion.usage());
        if (kind == SpendKind.LOCAL_ENGINE) {
            cost = cost.plus(modelPrice.cost(completion.compute()));
        }
        hold.settle(new Charge(kind, completion.model(), completion.usage(), completion.compute(),
                modelPrice.toString(), cost));
        return completion;
    }

    /**
     * Runs one sandboxed command within the budget.
     *
     * @param timeLimit the command's time limit, held at the CPU-hour price
     * @throws BudgetExceededException when that does not fit; the command is not run
     */
    public <T, E extends Exception> T sandbox(Duration timeLimit, SandboxStep<T, E> step, Elapsed<T> elapsed)
            throws E, BudgetExceededException {
        SpendGuard.Hold hold = guard.reserve(SpendKind.SANDBOX, worstCase(timeLimit));
        T result;
        try {
            result = step.run();
        } catch (Exception e) {
            hold.release();
            throw e;
        }
        Duration ran = elapsed.of(result);
        hold.settle(new Charge(SpendKind.SANDBOX, null, Usage.ZERO, ran, sandboxPrice.perGpuHour() + "/CPU-hour",
                sandboxPrice.cost(ran)));
        return result;
    }
}
