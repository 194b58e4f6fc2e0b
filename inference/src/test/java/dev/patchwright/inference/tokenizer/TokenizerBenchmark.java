package dev.patchwright.inference.tokenizer;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

import java.util.List;

/**
 * Single-thread encoding speed of our encoder against jtokkit on the same corpus, the JDK's
 * {@code java.base} sources: warm-up rounds, then timed rounds, alternating the two; prints tokens
 * per second for each and the ratio. Run as described in {@code inference/BENCHMARKS.md}.
 * Arguments: encoding name (default {@code o200k_base}), warm-up rounds (3), timed rounds (5).
 */
public final class TokenizerBenchmark {

    private TokenizerBenchmark() {
    }

    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : "o200k_base";
        int warmUps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        List<String> corpus = JdkSources.javaBase();
        long chars = corpus.stream().mapToLong(String::length).sum();
        Encoding jtokkit = Encodings.newLazyEncodingRegistry()
                .getEncoding(name.equals("cl100k_base") ? EncodingType.CL100K_BASE : EncodingType.O200K_BASE);
        Tokenizer ours = Tokenizers.load(name);
        System.out.printf("%s: %d files, %d chars%n", name, corpus.size(), chars);
        for (int i = 0; i < warmUps; i++) {
            timeJtokkit(jtokkit, corpus);
            timeOurs(ours, corpus);
        }
        double bestTheirs = 0;
        double bestOurs = 0;
        for (int i = 0; i < rounds; i++) {
            double theirs = timeJtokkit(jtokkit, corpus);
            double mine = timeOurs(ours, corpus);
            System.out.printf("round %d: jtokkit %.2f M tokens/s, ours %.2f M tokens/s%n", i + 1, theirs / 1e6, mine / 1e6);
            bestTheirs = Math.max(bestTheirs, theirs);
            bestOurs = Math.max(bestOurs, mine);
        }
        System.out.printf("best: jtokkit %.2f M tokens/s, ours %.2f M tokens/s, ratio %.2fx%n",
                bestTheirs / 1e6, bestOurs / 1e6, bestOurs / bestTheirs);
    }

    private static double timeJtokkit(Encoding encoding, List<String> corpus) {
        long start = System.nanoTime();
        long tokens = 0;
        for (String text : corpus) {
            tokens += encoding.countTokensOrdinary(text);
        }
        return tokens / ((System.nanoTime() - start) / 1e9);
    }

    private static double timeOurs(Tokenizer tokenizer, List<String> corpus) {
        long start = System.nanoTime();
        long tokens = 0;
        for (String text : corpus) {
            tokens += tokenizer.count(text);
        }
        return tokens / ((System.nanoTime() - start) / 1e9);
    }
}
