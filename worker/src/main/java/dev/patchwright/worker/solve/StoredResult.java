package dev.patchwright.worker.solve;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.patchwright.worker.db.Database;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.inference.model.Usage;
import org.eclipse.jgit.lib.ObjectId;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * A {@link SolveResult} as JSON, kept in {@code jobs.result} when a solve ends, so a job whose only failure was
 * publishing publishes again without solving again. The patch commit is not kept: it lives in one node's mirror,
 * and is rebuilt from the winner's recorded answer on the base commit.
 */
public final class StoredResult {

    // jsonb refuses the NUL character that a model's garbage may hold, even escaped: every string is written storable.
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .registerModule(new SimpleModule().addSerializer(String.class, new StdSerializer<>(String.class) {
                @Override
                public void serialize(String value, JsonGenerator out, SerializerProvider provider) throws IOException {
                    out.writeString(Database.storable(value));
                }
            }));

    private StoredResult() {
    }

    /** The shape written: plain values only. */
    record Shape(String outcome, String reason, String baseBranch, String baseCommit, String testCommand,
                 Step setup, Step baseline, List<CandidateRecord> candidates,
                 Integer winner, long promptTokens, long cachedPromptTokens, long completionTokens,
                 long elapsedMillis, SolveResult.Spend spend, List<SolveResult.Phase> phases, String detected) {
    }

    /** A {@link SolveResult.StepRun} with its time in milliseconds. */
    record Step(String command, String description, boolean passed, List<String> failingTests, String outputTail,
                long elapsedMillis, String broken) {
        static Step of(SolveResult.StepRun run) {
            return run == null ? null : new Step(run.command(), run.description(), run.passed(), run.failingTests(),
                    run.outputTail(), run.elapsed() == null ? 0 : run.elapsed().toMillis(), run.broken());
        }

        static SolveResult.StepRun run(Step step) {
            return step == null ? null : new SolveResult.StepRun(step.command(), step.description(), step.passed(),
                    step.failingTests(), step.outputTail(), Duration.ofMillis(step.elapsedMillis()), step.broken());
        }
    }

    /** {@code result} as JSON. */
    public static String toJson(SolveResult result) {
        Usage usage = result.usage() == null ? Usage.ZERO : result.usage();
        Shape shape = new Shape(result.outcome().name(), result.reason(), result.baseBranch(),
                result.baseCommit() == null ? null : result.baseCommit().name(), result.testCommand(), Step.of(result.setup()),
                Step.of(result.baseline()), result.candidates(), result.winner() == null ? null : result.winner().ordinal(),
                usage.promptTokens(), usage.cachedPromptTokens(), usage.completionTokens(),
                result.elapsed() == null ? 0 : result.elapsed().toMillis(), result.spend(), result.phases(),
                result.detected());
        try {
            return JSON.writeValueAsString(shape);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a solve result as JSON", e);
        }
    }

    /**
     * The result {@link #toJson} wrote, without its patch commit.
     *
     * @throws IllegalArgumentException when the text is not such JSON
     */
    public static SolveResult fromJson(String json) {
        Shape shape;
        try {
            shape = JSON.readValue(json, Shape.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the stored solve result is unreadable: " + e.getOriginalMessage(), e);
        }
        CandidateRecord winner = shape.winner() == null ? null : shape.candidates().stream()
                .filter(c -> c.ordinal() == shape.winner()).findFirst().orElse(null);
        return new SolveResult(SolveResult.Outcome.valueOf(shape.outcome()), shape.reason(), shape.baseBranch(),
                shape.baseCommit() == null ? null : ObjectId.fromString(shape.baseCommit()), shape.testCommand(),
                Step.run(shape.setup()), Step.run(shape.baseline()), shape.candidates(), winner, null,
                new Usage(shape.promptTokens(), shape.cachedPromptTokens(), shape.completionTokens()),
                Duration.ofMillis(shape.elapsedMillis()), shape.spend(), shape.phases(), shape.detected());
    }
}
