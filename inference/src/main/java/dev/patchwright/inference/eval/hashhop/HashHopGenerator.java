package dev.patchwright.inference.eval.hashhop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Generates HashHop tasks (after magicproduct/hash-hop, MIT): chains of random hashes H1 → H2 → ... → H(hops+1),
 * one line per link, the last link of each chain quoted, all lines shuffled so that no two links of one chain are
 * neighbours. As many chains as make the prompt within {@value #TOLERANCE_PERCENT}% of the size asked for; query
 * chains are picked so that their first links sit at evenly spread depths of the prompt. The same arguments and
 * seed always give the same task; no hash appears twice.
 */
public final class HashHopGenerator {

    /** The largest difference allowed between the size asked for and the size generated, in percent. */
    public static final int TOLERANCE_PERCENT = 2;

    /** Characters in a hash unless told otherwise, as in the original. */
    public static final int DEFAULT_HASH_LENGTH = 16;

    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private final int hashLength;

    /** @throws IllegalArgumentException when hashLength is under 4 (too few hashes to stay distinct) */
    public HashHopGenerator(int hashLength) {
        if (hashLength < 4) {
            throw new IllegalArgumentException("hash length must be at least 4, was " + hashLength);
        }
        this.hashLength = hashLength;
    }

    /** A generator of {@value #DEFAULT_HASH_LENGTH}-character hashes. */
    public HashHopGenerator() {
        this(DEFAULT_HASH_LENGTH);
    }

    /**
     * One task.
     *
     * @param size the prompt's size, in characters or tokens
     * @param hops links per chain, at least 1
     * @param variant what the queries ask for
     * @param queries how many chains to ask about, at least 1
     * @param seed the same seed gives the same task
     * @throws IllegalArgumentException when hops or queries is out of range, or when the size cannot be met within
     *     {@value #TOLERANCE_PERCENT}% with whole chains, holds fewer chains than queries, or too few chains to keep
     *     each chain's links apart; the message says what size would work
     */
    public HashHopTask generate(TaskSize size, int hops, Variant variant, int queries, long seed) {
        if (hops < 1) {
            throw new IllegalArgumentException("hops must be at least 1, was " + hops);
        }
        if (queries < 1) {
            throw new IllegalArgumentException("queries must be at least 1, was " + queries);
        }
        SplittableRandom hashes = new SplittableRandom(seed);
        Set<String> seen = new HashSet<>();
        List<List<String>> chains = new ArrayList<>();
        // A first estimate from the unshuffled size of a few chains, then corrections from the real prompt.
        int sample = 8;
        while (chains.size() < sample) {
            chains.add(chain(hashes, seen, hops));
        }
        StringBuilder some = new StringBuilder();
        for (List<String> chain : chains) {
            for (String line : links(chain)) {
                some.append(line).append('\n');
            }
        }
        double perChain = Math.max(1.0, size.measure(some.toString()) / (double) sample);
        int count = (int) Math.max(1, Math.round(size.amount() / perChain));
        Layout best = null;
        for (int attempt = 0; attempt < 12; attempt++) {
            while (chains.size() < count) {
                chains.add(chain(hashes, seen, hops));
            }
            Layout layout = layout(chains.subList(0, count), seed);
            long measured = size.measure(layout.prompt());
            if (best == null || Math.abs(measured - size.amount()) < Math.abs(best.measured - size.amount())) {
                best = layout.measured(measured);
            }
            int next = (int) Math.max(1, count + Math.round((size.amount() - measured) / perChain));
            if (next == count) {
                break;
            }
            count = next;
        }
        long allowed = size.amount() * TOLERANCE_PERCENT / 100;
        if (Math.abs(best.measured - size.amount()) > allowed) {
            throw new IllegalArgumentException("a prompt of " + size.amount() + " " + size.unit() + " cannot be made "
                    + "within " + TOLERANCE_PERCENT + "% from whole chains of " + hops + " hops (one chain is about "
                    + Math.round(perChain) + "); ask for at least " + Math.round(perChain * 50));
        }
        if (best.chains.size() < queries) {
            throw new IllegalArgumentException("a prompt of " + size.amount() + " " + size.unit() + " holds "
                    + best.chains.size() + " chains of " + hops + " hops, fewer than the " + queries
                    + " queries asked for");
        }
        return new HashHopTask(best.lines, best.chains.size(), hops, variant,
                pickQueries(best, variant, queries), size, best.measured);
    }

    private List<String> chain(SplittableRandom random, Set<String> seen, int hops) {
        List<String> chain = new ArrayList<>(hops + 1);
        while (chain.size() < hops + 1) {
            char[] hash = new char[hashLength];
            for (int i = 0; i < hashLength; i++) {
                hash[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
            }
            String h = new String(hash);
            if (seen.add(h)) {
                chain.add(h);
            }
        }
        return chain;
    }

    /** The lines of one chain in order, its last link's value quoted. */
    static List<String> links(List<String> chain) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i + 1 < chain.size(); i++) {
            boolean last = i + 2 == chain.size();
            lines.add(chain.get(i) + " = " + (last ? "'" + chain.get(i + 1) + "'" : chain.get(i + 1)));
        }
        return lines;
    }

    /** The shuffled lines of some chains, which chain each line came from, and where each line starts. */
    private record Layout(List<List<String>> chains, List<String> lines, int[] owner, int[] link, long measured) {

        String prompt() {
            return String.join("\n", lines);
        }

        Layout measured(long size) {
            return new Layout(chains, lines, owner, link, size);
        }
    }

    private static Layout layout(List<List<String>> chains, long seed) {
        List<String> lines = new ArrayList<>();
        List<int[]> origin = new ArrayList<>();
        for (int c = 0; c < chains.size(); c++) {
            List<String> chainLines = links(chains.get(c));
            for (int l = 0; l < chainLines.size(); l++) {
                lines.add(chainLines.get(l));
                origin.add(new int[] {c, l});
            }
        }
        // Its own stream, so that the shuffle does not change the chains drawn after it.
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + chains.size());
        int n = lines.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            swap(order, i, random.nextInt(i + 1));
        }
        int[] owner = new int[n];
        for (int i = 0; i < n; i++) {
            owner[i] = origin.get(order[i])[0];
        }
        spreadApart(order, owner, random);
        List<String> shuffled = new ArrayList<>(n);
        int[] link = new int[n];
        for (int i = 0; i < n; i++) {
            shuffled.add(lines.get(order[i]));
            link[i] = origin.get(order[i])[1];
        }
        return new Layout(List.copyOf(chains), shuffled, owner, link, -1);
    }

    /** Moves lines so that no two neighbours come from the same chain: a neighbour would give the next hop away. */
    private static void spreadApart(int[] order, int[] owner, SplittableRandom random) {
        int n = order.length;
        for (int i = 0; i + 1 < n; i++) {
            if (owner[i] != owner[i + 1]) {
                continue;
            }
            int start = random.nextInt(n);
            boolean moved = false;
            for (int step = 0; step < n && !moved; step++) {
                int j = (start + step) % n;
                if (Math.abs(j - (i + 1)) <= 1 || j == i) {
                    continue;
                }
                // Line j goes to i+1 (between i and i+2); line i+1 goes to j (between j-1 and j+1).
                boolean fitsThere = owner[j] != owner[i] && (i + 2 >= n || owner[j] != owner[i + 2]);
                boolean fitsHere = (j == 0 || owner[j - 1] != owner[i + 1]) && (j + 1 >= n || owner[j + 1] != owner[i + 1]);
                if (fitsThere && fitsHere) {
                    swap(order, i + 1, j);
                    swap(owner, i + 1, j);
                    moved = true;
                }
            }
            if (!moved) {
                throw new IllegalArgumentException("too few chains (" + distinct(owner)
                        + ") to keep the links of each chain apart; ask for a larger size");
            }
        }
    }

    private static int distinct(int[] owner) {
        return (int) Arrays.stream(owner).distinct().count();
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    /** The chains whose first links lie nearest to depths (q + 0.5) / queries, by increasing depth. */
    private static List<HashHopQuery> pickQueries(Layout layout, Variant variant, int queries) {
        int chains = layout.chains.size();
        double[] depth = new double[chains];
        long total = layout.prompt().length();
        long offset = 0;
        for (int i = 0; i < layout.lines.size(); i++) {
            if (layout.link[i] == 0) {
                depth[layout.owner[i]] = total == 0 ? 0 : offset / (double) total;
            }
            offset += layout.lines.get(i).length() + 1;
        }
        boolean[] taken = new boolean[chains];
        List<HashHopQuery> picked = new ArrayList<>();
        for (int q = 0; q < queries; q++) {
            double want = (q + 0.5) / queries;
            int best = -1;
            for (int c = 0; c < chains; c++) {
                if (!taken[c] && (best < 0 || Math.abs(depth[c] - want) < Math.abs(depth[best] - want))) {
                    best = c;
                }
            }
            taken[best] = true;
            List<String> chain = layout.chains.get(best);
            String target = variant == Variant.DIRECT ? chain.get(chain.size() - 1)
                    : String.join(" = ", chain.subList(1, chain.size()));
            picked.add(new HashHopQuery(chain.get(0), target, chain, depth[best]));
        }
        picked.sort((a, b) -> Double.compare(a.depth(), b.depth()));
        return picked;
    }
}
