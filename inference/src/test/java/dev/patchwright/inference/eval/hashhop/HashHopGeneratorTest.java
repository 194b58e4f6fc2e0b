package dev.patchwright.inference.eval.hashhop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwright.inference.tokenizer.Tokenizer;
import dev.patchwright.inference.tokenizer.Tokenizers;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HashHopGeneratorTest {

    private static final Pattern LINE = Pattern.compile("([A-Za-z]{16}) = ('?)([A-Za-z]{16})\\2");

    private final HashHopGenerator generator = new HashHopGenerator();

    /** Rebuilds the chains from the lines alone and checks each is complete, unbroken and ends quoted. */
    private static void assertWellFormed(HashHopTask task) {
        Map<String, String> next = new HashMap<>();
        Set<String> quoted = new HashSet<>();
        Set<String> values = new HashSet<>();
        for (String line : task.lines()) {
            Matcher m = LINE.matcher(line);
            assertThat(m.matches()).as("line '%s'", line).isTrue();
            assertThat(next.put(m.group(1), m.group(3))).as("%s links once", m.group(1)).isNull();
            assertThat(values.add(m.group(3))).as("%s is pointed at once", m.group(3)).isTrue();
            if (!m.group(2).isEmpty()) {
                quoted.add(m.group(1));
            }
        }
        assertThat(task.lines()).hasSize(task.chains() * task.hops());
        Set<String> heads = new HashSet<>(next.keySet());
        heads.removeAll(values);
        assertThat(heads).as("one head per chain").hasSize(task.chains());
        Set<String> everyHash = new HashSet<>();
        for (String head : heads) {
            String at = head;
            everyHash.add(at);
            for (int hop = 1; hop <= task.hops(); hop++) {
                assertThat(next).as("chain from %s unbroken at hop %d", head, hop).containsKey(at);
                assertThat(quoted.contains(at)).as("only the last link is quoted").isEqualTo(hop == task.hops());
                at = next.get(at);
                assertThat(everyHash.add(at)).as("no hash repeats").isTrue();
            }
            assertThat(next).as("chain from %s ends after %d hops", head, task.hops()).doesNotContainKey(at);
        }
        for (HashHopQuery q : task.queries()) {
            assertThat(heads).contains(q.query());
            String at = q.query();
            for (String hop : q.hopsAfterQuery()) {
                assertThat(next.get(at)).isEqualTo(hop);
                at = hop;
            }
        }
    }

    @Test
    void chainsAreCompleteUnbrokenAndQuotedAtTheEnd() {
        for (int hops : new int[] {1, 2, 4}) {
            HashHopTask task = generator.generate(TaskSize.chars(20_000), hops, Variant.DIRECT, 10, 7);
            assertWellFormed(task);
            assertThat(task.queries()).hasSize(10);
            for (HashHopQuery q : task.queries()) {
                assertThat(q.target()).isEqualTo(q.last()).hasSize(16);
                assertThat(q.chain()).hasSize(hops + 1);
            }
        }
    }

    @Test
    void sizesInCharactersAreWithinTwoPercent() {
        for (long chars : new long[] {5_000, 20_000, 100_000}) {
            for (int hops : new int[] {1, 3}) {
                HashHopTask task = generator.generate(TaskSize.chars(chars), hops, Variant.COT, 5, 3);
                assertThat((long) task.prompt().length()).isEqualTo(task.measured()).isCloseTo(chars,
                        org.assertj.core.data.Percentage.withPercentage(2));
            }
        }
    }

    @Test
    void sizesInTokensAreWithinTwoPercentUpTo128k() {
        Tokenizer o200k = Tokenizers.load("o200k_base");
        for (String size : new String[] {"8k", "32k", "128k"}) {
            TaskSize requested = TaskSize.parse(size, o200k);
            HashHopTask task = generator.generate(requested, 2, Variant.DIRECT, 20, 1);
            assertThat((long) o200k.count(task.prompt())).isEqualTo(task.measured())
                    .isCloseTo(requested.amount(), org.assertj.core.data.Percentage.withPercentage(2));
            if (size.equals("128k")) {
                assertWellFormed(task);
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameTaskAndAnotherSeedAnother() {
        HashHopTask a = generator.generate(TaskSize.chars(10_000), 3, Variant.COT, 4, 42);
        HashHopTask b = generator.generate(TaskSize.chars(10_000), 3, Variant.COT, 4, 42);
        HashHopTask c = generator.generate(TaskSize.chars(10_000), 3, Variant.COT, 4, 43);

        assertThat(b.prompt()).isEqualTo(a.prompt());
        assertThat(b.queries()).isEqualTo(a.queries());
        assertThat(c.prompt()).isNotEqualTo(a.prompt());
    }

    @Test
    void noChainHasTwoLinksSideBySide() {
        for (long seed = 0; seed < 20; seed++) {
            HashHopTask task = generator.generate(TaskSize.chars(4_000), 4, Variant.DIRECT, 3, seed);
            Map<String, Integer> chainOf = new HashMap<>();
            Map<String, String> next = new HashMap<>();
            for (String line : task.lines()) {
                Matcher m = LINE.matcher(line);
                assertThat(m.matches()).isTrue();
                next.put(m.group(1), m.group(3));
            }
            int id = 0;
            Set<String> values = new HashSet<>(next.values());
            for (String head : next.keySet()) {
                if (!values.contains(head)) {
                    for (String at = head; next.containsKey(at); at = next.get(at)) {
                        chainOf.put(at, id);
                    }
                    id++;
                }
            }
            List<String> lines = task.lines();
            for (int i = 0; i + 1 < lines.size(); i++) {
                assertThat(chainOf.get(lines.get(i).substring(0, 16)))
                        .as("seed %d: lines %d and %d", seed, i, i + 1)
                        .isNotEqualTo(chainOf.get(lines.get(i + 1).substring(0, 16)));
            }
        }
    }

    @Test
    void queriesStartAtSpreadDepthsThatAreReportedTruly() {
        HashHopTask task = generator.generate(TaskSize.chars(50_000), 2, Variant.DIRECT, 10, 5);
        String prompt = task.prompt();

        for (int q = 0; q < 10; q++) {
            HashHopQuery query = task.queries().get(q);
            int at = prompt.indexOf(query.query() + " = ");
            assertThat(query.depth()).isEqualTo(at / (double) prompt.length());
            assertThat(query.depth()).as("query %d near depth %.2f", q, (q + 0.5) / 10).isCloseTo((q + 0.5) / 10,
                    org.assertj.core.data.Offset.offset(0.03));
        }
    }

    @Test
    void writesTheOriginalCompletionLayout() {
        HashHopTask direct = generator.generate(TaskSize.chars(2_000), 1, Variant.DIRECT, 2, 9);
        HashHopTask cot = generator.generate(TaskSize.chars(3_000), 3, Variant.COT, 2, 9);

        HashHopQuery d = direct.queries().get(0);
        assertThat(direct.completion()).isEqualTo("COMPLETION:\nHops=1\n\nCoT=False\n\n" + d.query() + " = '"
                + d.last() + "'\n" + direct.queries().get(1).query() + " = '" + direct.queries().get(1).last() + "'");
        HashHopQuery c = cot.queries().get(0);
        assertThat(cot.completion()).startsWith("COMPLETION:\nHops=3\n\nCoT=True\n\n" + c.query() + " = '"
                + c.chain().get(1) + " = " + c.chain().get(2) + " = " + c.chain().get(3) + "'\n");
    }

    @Test
    void refusesWhatCannotBeMade() {
        assertThatThrownBy(() -> generator.generate(TaskSize.chars(100), 1, Variant.DIRECT, 1, 1))
                .hasMessageContaining("within 2%").hasMessageContaining("ask for at least");
        assertThatThrownBy(() -> generator.generate(TaskSize.chars(300), 4, Variant.DIRECT, 1, 1))
                .hasMessageContaining("too few chains").hasMessageContaining("larger size");
        assertThatThrownBy(() -> generator.generate(TaskSize.tokens(1_000, Tokenizers.load("o200k_base")), 2,
                Variant.DIRECT, 1, 1)).hasMessageContaining("1000 tokens (o200k_base)");
        assertThatThrownBy(() -> generator.generate(TaskSize.chars(5_000), 1, Variant.DIRECT, 500, 1))
                .hasMessageContaining("fewer than the 500 queries");
        assertThatThrownBy(() -> generator.generate(TaskSize.chars(5_000), 0, Variant.DIRECT, 1, 1))
                .hasMessageContaining("hops must be at least 1");
        assertThatThrownBy(() -> TaskSize.parse("8kb", null)).hasMessageContaining("'8kb'");
        assertThat(TaskSize.parse("128k", null).amount()).isEqualTo(128_000);
    }
}
