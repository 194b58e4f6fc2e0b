package dev.patchwright.worker.solve;

import dev.patchwright.worker.budget.SpendMeter;

import java.time.Instant;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * What one solve runs with besides its request: where it records what it does, what it may spend, where it says
 * how it is going, when it must stop.
 *
 * @param recorder where steps, candidates and the result are written down
 * @param meter    every model call and sandbox run is paid through it
 * @param progress where the status comment is updated as the job moves
 * @param stop     says true when the job was cancelled or handed to another worker; checked before each step
 * @param deadline the per-issue time limit: no candidate starts after it
 */
public record SolveContext(JobRecorder recorder, SpendMeter meter, ProgressReport progress, BooleanSupplier stop,
                           Instant deadline) {

    public SolveContext {
        Objects.requireNonNull(recorder, "recorder");
        Objects.requireNonNull(meter, "meter");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(stop, "stop");
        Objects.requireNonNull(deadline, "deadline");
    }

    /** A context that records to {@code recorder}, spends without limit or price, and never stops early. */
    public static SolveContext of(JobRecorder recorder) {
        return new SolveContext(recorder, SpendMeter.free(), ProgressReport.NONE, () -> false, Instant.MAX);
    }

    public SolveContext withMeter(SpendMeter value) {
        return new SolveContext(recorder, value, progress, stop, deadline);
    }

    public SolveContext withProgress(ProgressReport value) {
        return new SolveContext(recorder, meter, value, stop, deadline);
    }

    public SolveContext withStop(BooleanSupplier value) {
        return new SolveContext(recorder, meter, progress, value, deadline);
    }

    public SolveContext withDeadline(Instant value) {
        return new SolveContext(recorder, meter, progress, stop, value);
    }

    /** Where a job says how it is going while it runs: the status comment, or the terminal. */
    @FunctionalInterface
    public interface ProgressReport {
        /** Replaces what the job last said with {@code markdown}. Must not throw: progress is a courtesy. */
        void update(String markdown);

        ProgressReport NONE = markdown -> {
        };
    }
}
