package dev.patchwright.worker.pack;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import java.util.function.IntUnaryOperator;

/**
 * Chooses what fits {@code maxTokens} when the whole pack does not: first the files the task names
 * whole, and their neighbours and other relevant files (BM25, recent changes) up to half the window,
 * then a map of the declarations of all the others, then, by relevance, as many of those whole as
 * still fit. When the map is too long, the least relevant files' entries shrink to their paths, and
 * then, if need be, leave it entirely. Every count is exact; each piece boundary is given one token of slack, since a
 * tokenizer may count joined pieces a little differently from separate ones.
 */
final class Window {

    /**
     * What one file costs and how much it matters; lower {@code tier} and higher {@code score} go
     * first. {@code map} is its map entry with declarations, {@code brief} the entry with its path alone.
     */
    record Candidate(int whole, int map, int brief, int tier, double score) {
    }

    /**
     * For each file: true when it is packed whole, and (when not) whether its map entry is kept, and
     * whether that entry is cut to the path alone.
     */
    record Choice(boolean[] whole, boolean[] mapped, boolean[] brief, long tokens) {
    }

    private Window() {
    }

    /** The indices {@code 0..n-1} in the order files are taken: lower tier, then higher score, then index. */
    static List<Integer> order(int n, IntUnaryOperator tier, IntToDoubleFunction score) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        order.sort(Comparator.<Integer>comparingInt(tier::applyAsInt).thenComparing(i -> -score.applyAsDouble(i))
                .thenComparingInt(i -> i));
        return order;
    }

    /**
     * @param fixed tokens written whatever is chosen (the tree)
     * @param frame tokens of the map's opening and closing lines
     * @throws IllegalArgumentException when not even the tree fits
     */
    static Choice choose(List<Candidate> files, long fixed, int frame, long maxTokens) {
        int n = files.size();
        List<Integer> order = order(n, i -> files.get(i).tier(), i -> files.get(i).score());
        boolean[] whole = new boolean[n];
        boolean[] mapped = new boolean[n];
        long used = fixed + frame + 2;
        if (fixed + 1 > maxTokens) {
            throw new IllegalArgumentException("maxTokens " + maxTokens + " is too small: the directory tree alone"
                    + " takes " + fixed + " tokens");
        }
        // The files the task names come before any map entry; so do their neighbours and other
        // relevant files (a score above zero), up to half the window, which leaves the other half for
        // the map that tells the model what else exists.
        long half = used + (maxTokens - used) / 2;
        for (int i : order) {
            Candidate file = files.get(i);
            long after = used + file.whole() + 3;
            if (file.tier() == 0 && after <= maxTokens || (file.tier() == 1 || file.score() > 0) && after <= half) {
                whole[i] = true;
                used += file.whole() + 3;
            }
        }
        for (int i = 0; i < n; i++) {
            if (!whole[i]) {
                mapped[i] = true;
                used += files.get(i).map() + 1;
            }
        }
        // Until the map fits, least relevant first: entries lose their declarations, keeping the
        // path so the model still knows the file exists; then, if that is not enough, they go.
        boolean[] brief = new boolean[n];
        for (int k = n - 1; k >= 0 && used > maxTokens; k--) {
            int i = order.get(k);
            if (mapped[i] && files.get(i).brief() < files.get(i).map()) {
                brief[i] = true;
                used -= files.get(i).map() - files.get(i).brief();
            }
        }
        for (int k = n - 1; k >= 0 && used > maxTokens; k--) {
            int i = order.get(k);
            if (mapped[i]) {
                mapped[i] = false;
                used -= (brief[i] ? files.get(i).brief() : files.get(i).map()) + 1;
                brief[i] = false;
            }
        }
        for (int i : order) {
            Candidate file = files.get(i);
            long delta = file.whole() + 3 - (mapped[i] ? (brief[i] ? file.brief() : file.map()) + 1 : 0);
            if (!whole[i] && used + delta <= maxTokens) {
                whole[i] = true;
                mapped[i] = false;
                brief[i] = false;
                used += delta;
            }
        }
        boolean anyMapped = false;
        for (boolean m : mapped) {
            anyMapped |= m;
        }
        return new Choice(whole, mapped, brief, anyMapped ? used : used - frame - 2);
    }
}
