package dev.patchwright.inference.eval.hashhop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HashHopScorerTest {

    private final HashHopGenerator generator = new HashHopGenerator();

    @Test
    void theOriginalCompletionAndTheOracleScoreFull() {
        for (Variant variant : Variant.values()) {
            HashHopTask task = generator.generate(TaskSize.chars(20_000), 3, variant, 8, 11);

            assertThat(HashHopScorer.score(task, task.completion())).allMatch(s -> s.correct() && s.chainCorrect());
            List<QueryScore> oracle = HashHopScorer.score(task, HashHopOracle.answer(HashHopPrompt.text(task)));
            assertThat(oracle).hasSize(8).allMatch(s -> s.correct() && s.chainCorrect());
            if (variant == Variant.COT) {
                assertThat(oracle).allMatch(s -> s.hopsRight() == 3);
            }
        }
    }

    @Test
    void readsAnswersLeniently() {
        HashHopTask task = generator.generate(TaskSize.chars(5_000), 1, Variant.DIRECT, 4, 2);
        List<HashHopQuery> q = task.queries();
        String answer = "Sure! Here are the answers:\n"
                + "1. **" + q.get(0).query() + "** = \"" + q.get(0).last() + "\"\n"
                + q.get(1).query() + "=" + q.get(1).last() + " (found on line 12)\n"
                + "- `" + q.get(2).query() + " = '" + q.get(2).last() + "'` because it links there\n";

        List<QueryScore> scores = HashHopScorer.score(task, answer);

        assertThat(scores).extracting(QueryScore::correct).containsExactly(true, true, true, false);
        assertThat(scores.get(1).answer()).isEqualTo(q.get(1).last());
        assertThat(scores.get(3).answer()).as("no line answers the fourth query").isNull();
    }

    @Test
    void neverMatchesAHashApproximately() {
        HashHopTask task = generator.generate(TaskSize.chars(5_000), 1, Variant.DIRECT, 2, 2);
        HashHopQuery q = task.queries().get(0);
        String last = q.last();
        String oneOff = (last.charAt(0) == 'a' ? 'b' : 'a') + last.substring(1);

        assertThat(HashHopScorer.score(task, q.query() + " = '" + oneOff + "'").get(0).correct()).isFalse();
        assertThat(HashHopScorer.score(task, q.query() + " = '" + last + "x'").get(0).correct()).isFalse();
        assertThat(HashHopScorer.score(task, q.query() + " = '" + last.substring(1) + "'").get(0).correct()).isFalse();
        assertThat(HashHopScorer.score(task, q.query() + "x = '" + last + "'").get(0).answer())
                .as("a longer hash is not the query").isNull();
    }

    @Test
    void countsTheHopsRightBeforeTheFirstErrorOfAChain() {
        HashHopTask task = generator.generate(TaskSize.chars(10_000), 4, Variant.COT, 3, 4);
        List<String> c0 = task.queries().get(0).chain();
        List<String> c1 = task.queries().get(1).chain();
        List<String> c2 = task.queries().get(2).chain();
        String answer = c0.get(0) + " = '" + c0.get(1) + " = " + c0.get(2) + " = XXXXXXXXXXXXXXXX = " + c0.get(4) + "'\n"
                + c1.get(0) + " = '" + c1.get(1) + " = " + c1.get(2) + "'\n"
                + c2.get(0) + " -> " + c2.get(1) + " -> " + c2.get(2) + " -> " + c2.get(3) + " -> " + c2.get(4) + "\n";

        List<QueryScore> s = HashHopScorer.score(task, answer);

        assertThat(s.get(0).hopsRight()).isEqualTo(2);
        assertThat(s.get(0).correct()).as("the final hash is right").isTrue();
        assertThat(s.get(0).chainCorrect()).isFalse();
        assertThat(s.get(1).hopsRight()).isEqualTo(2);
        assertThat(s.get(1).correct()).as("the chain stops early").isFalse();
        assertThat(s.get(2).chainCorrect()).isTrue();
        assertThat(s.get(2).hopsRight()).isEqualTo(4);
    }
}
