package dev.patchwright.worker.pack;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses what fits {@code maxTokens} when the whole pack does not: first the files the task names
 * whole, and their neighbours and other relevant files (BM25, recent changes) up to half the window,
 * then a map of the declarations of all the others, then, by relevance, as many of those whole as
 * still fit. When the map is too long, the least relevant files are left
 * out of it entirely. Every count is exact; each piece boundary is given one token of slack, since a
 * tokenizer may count joined pieces a little differently from separate ones.
 */
final class Window {

    /** What one file costs and how much it matters; lower {@code tier} and higher {@code score} go first. */
    record Candidate(int whole, int map, int tier, double score) {
    }

    /** For each file: true when it is packed whole, and (when not) whether its map entry is kept. */
    record Choice(boolean[] whole, boolean[] mapped, long tokens) {
    }

    private Window() {
    }

    /**
     * @param fixed tokens written whatever is chosen (the tree)
     * @param frame tokens of the map's opening and closing lines
     * @throws IllegalArgumentException when not even the tree fits
     */
    static Choice choose(List<Candidate> files, long fixed, int frame, long maxTokens) {
        int n = files.size();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        order.sort(Comparator.<Integer>comparingInt(i -> files.get(i).tier())
                .thenComparing(i -> -files.get(i).score()).thenComparingInt(i -> i));
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
        // Least relevant first out of the map until the map fits.
        for (int k = n - 1; k >= 0 && used > maxTokens; k--) {
            int i = order.get(k);
            if (mapped[i]) {
                mapped[i] = false;
                used -= files.get(i).map() + 1;
            }
        }
        for (int i : order) {
            Candidate file = files.get(i);
            long delta = file.whole() + 3 - (mapped[i] ? file.map() + 1 : 0);
            if (!whole[i] && used + delta <= maxTokens) {
                whole[i] = true;
                mapped[i] = false;
                used += delta;
            }
        }
        boolean anyMapped = false;
        for (boolean m : mapped) {
            anyMapped |= m;
        }
        return new Choice(whole, mapped, anyMapped ? used : used - frame - 2);
    }
}
