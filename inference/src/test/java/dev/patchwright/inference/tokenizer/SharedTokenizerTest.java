package dev.patchwright.inference.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** One tokenizer instance, used by several threads at once, gives every thread the same ids. */
class SharedTokenizerTest {

    @Test
    void threadsSharingOneTokenizerGetTheSameIdsAsOneThread() throws Exception {
        Tokenizer o200k = Tokenizers.load("o200k_base");
        List<String> texts = new ArrayList<>(JdkSources.javaBase().subList(0, 200));
        texts.addAll(TiktokenExactnessTest.edgeCases().subList(0, 30));
        List<int[]> expected = new ArrayList<>();
        for (String text : texts) {
            expected.add(o200k.encode(text));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t * 37;
                results.add(pool.submit(() -> {
                    int checked = 0;
                    for (int round = 0; round < 3; round++) {
                        for (int k = 0; k < texts.size(); k++) {
                            int i = (k + offset) % texts.size();
                            assertThat(o200k.encode(texts.get(i))).containsExactly(expected.get(i));
                            assertThat(o200k.count(texts.get(i))).isEqualTo(expected.get(i).length);
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(3 * texts.size());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
