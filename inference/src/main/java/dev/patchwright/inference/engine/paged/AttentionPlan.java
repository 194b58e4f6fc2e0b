package dev.patchwright.inference.engine.paged;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The work of one attention call over a paged KV cache, as the int arrays the device kernels
 * {@code attention_partial} and {@code attention_combine} read (see {@code attention.cu} for the
 * layouts). A segment is a run of whole blocks and the query rows that read it; each segment is
 * split over its positions into work items, each giving one partial per (row, head); the combine
 * step merges a row's partials.
 *
 * <p>A decode step's rows that hold the same leading full blocks (samples of one prompt) read them
 * in one shared segment, so the prompt's keys and values are read once per step, not once per
 * sample; each row then reads its own blocks in a segment of its own. A prompt chunk's rows are
 * cut into tiles that each stop at their last row's position (causal), so no tile reads a block
 * none of its rows may see.
 */
public final class AttentionPlan {

    /** Ints per segment: table start, first position, positions, query start, query rows, partial start, positions per split. */
    public static final int SEGMENT_INTS = 7;

    /**
     * The sizes a plan is cut to.
     *
     * @param heads query heads
     * @param kvHeads key/value heads; queries of {@code heads / kvHeads} heads share one
     * @param blockPositions positions per KV block
     * @param maxQueries the most (row, head) queries one device block holds in shared memory
     * @param targetBlocks about how many device blocks a call should launch (a few per multiprocessor)
     * @param minSplitPositions the fewest positions worth a work item of their own
     */
    public record Geometry(int heads, int kvHeads, int blockPositions, int maxQueries, int targetBlocks, int minSplitPositions) {
        public Geometry {
            if (heads < 1 || kvHeads < 1 || heads % kvHeads != 0) {
                throw new IllegalArgumentException("heads " + heads + " must be a positive multiple of kv heads " + kvHeads);
            }
            if (maxQueries < heads / kvHeads) {
                throw new IllegalArgumentException("maxQueries " + maxQueries + " below one row's " + heads / kvHeads + " queries");
            }
            if (blockPositions < 1 || targetBlocks < 1 || minSplitPositions < 1) {
                throw new IllegalArgumentException("block positions, target blocks and split positions must be positive: " + this);
            }
        }

        int group() {
            return heads / kvHeads;
        }

        int rowsPerSegment() {
            return maxQueries / group();
        }
    }

    /** (segments * 7) see {@link #SEGMENT_INTS}. */
    public final int[] segments;
    /** (work items, 2): segment, split. */
    public final int[] work;
    /** The q row of each segment's query rows, segments one after another. */
    public final int[] queryRows;
    /** (rows) the last position each q row may see. */
    public final int[] lastPositions;
    /** Block ids of every segment's blocks. */
    public final int[] blockTables;
    /** (rows + 1) where each row's partials start in {@link #partials}. */
    public final int[] rowPartials;
    /** Partial indices, row by row. */
    public final int[] partials;
    /** Partials the call writes. */
    public final int partialCount;
    /** The most queries (rows x group) of one segment: sizes the shared memory. */
    public final int maxSegmentQueries;

    private AttentionPlan(Builder b, Geometry g) {
        int rows = b.lastPositions.length;
        long positions = 0;
        for (Segment s : b.segments) {
            positions += s.positions;
        }
        int perSplit = (int) Math.max(g.minSplitPositions(),
                ceil(ceil(positions * g.kvHeads(), g.targetBlocks()), g.blockPositions()) * g.blockPositions());
        perSplit = (int) ceil(perSplit, g.blockPositions()) * g.blockPositions();
        segments = new int[b.segments.size() * SEGMENT_INTS];
        List<int[]> items = new ArrayList<>();
        List<List<Integer>> byRow = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            byRow.add(new ArrayList<>());
        }
        int[] query = new int[b.segments.stream().mapToInt(s -> s.rows.length).sum()];
        int queryStart = 0;
        int partialStart = 0;
        int maxQueries = 0;
        for (int i = 0; i < b.segments.size(); i++) {
            Segment s = b.segments.get(i);
            int splits = (int) ceil(s.positions, perSplit);
            int o = i * SEGMENT_INTS;
            segments[o] = s.tableStart;
            segments[o + 1] = s.firstPosition;
            segments[o + 2] = s.positions;
            segments[o + 3] = queryStart;
            segments[o + 4] = s.rows.length;
            segments[o + 5] = partialStart;
            segments[o + 6] = perSplit;
            System.arraycopy(s.rows, 0, query, queryStart, s.rows.length);
            for (int split = 0; split < splits; split++) {
                items.add(new int[] {i, split});
                for (int j = 0; j < s.rows.length; j++) {
                    byRow.get(s.rows[j]).add(partialStart + split * s.rows.length + j);
                }
            }
            queryStart += s.rows.length;
            partialStart += splits * s.rows.length;
            maxQueries = Math.max(maxQueries, s.rows.length * g.group());
        }
        work = new int[items.size() * 2];
        for (int i = 0; i < items.size(); i++) {
            work[2 * i] = items.get(i)[0];
            work[2 * i + 1] = items.get(i)[1];
        }
        queryRows = query;
        lastPositions = b.lastPositions;
        blockTables = b.tables.stream().mapToInt(Integer::intValue).toArray();
        rowPartials = new int[rows + 1];
        for (int r = 0; r < rows; r++) {
            rowPartials[r + 1] = rowPartials[r] + byRow.get(r).size();
        }
        partials = byRow.stream().flatMap(List::stream).mapToInt(Integer::intValue).toArray();
        partialCount = partialStart;
        maxSegmentQueries = maxQueries;
    }

    /** Work items: device blocks along x (kv heads along y). */
    public int workItems() {
        return work.length / 2;
    }

    /** Segments in the plan. */
    public int segmentCount() {
        return segments.length / SEGMENT_INTS;
    }

    /**
     * A decode step: row {@code r} is one new token of a sequence with block table {@code tables[r]}
     * and {@code lengths[r]} positions, its own token's included.
     */
    public static AttentionPlan decode(int[][] tables, int[] lengths, Geometry g) {
        if (tables.length != lengths.length || tables.length == 0) {
            throw new IllegalArgumentException("need one length per table and at least one row: " + tables.length + " tables, "
                    + lengths.length + " lengths");
        }
        int size = g.blockPositions();
        Builder b = new Builder(tables.length);
        Map<Integer, List<Integer>> byFirstBlock = new LinkedHashMap<>();
        for (int r = 0; r < tables.length; r++) {
            if (lengths[r] < 1 || tables[r].length * size < lengths[r]) {
                throw new IllegalArgumentException("row " + r + ": " + lengths[r] + " positions in a table of " + tables[r].length
                        + " blocks of " + size);
            }
            b.lastPositions[r] = lengths[r] - 1;
            byFirstBlock.computeIfAbsent(tables[r][0], k -> new ArrayList<>()).add(r);
        }
        for (List<Integer> group : byFirstBlock.values()) {
            int first = group.get(0);
            int common = 0;
            if (group.size() > 1) {
                while (common < tables[first].length && full(group, tables, lengths, common, size)) {
                    common++;
                }
            }
            if (common > 0) {
                int start = b.table(tables[first], 0, common);
                int[] rows = group.stream().mapToInt(Integer::intValue).toArray();
                for (int from = 0; from < rows.length; from += g.rowsPerSegment()) {
                    b.segment(start, 0, common * size, Arrays.copyOfRange(rows, from, Math.min(rows.length, from + g.rowsPerSegment())));
                }
            }
            for (int r : group) {
                int own = lengths[r] - common * size;
                if (own > 0) {
                    int start = b.table(tables[r], common, (lengths[r] + size - 1) / size);
                    b.segment(start, common * size, own, new int[] {r});
                }
            }
        }
        return new AttentionPlan(b, g);
    }

    /**
     * A prompt chunk of one sequence: rows {@code 0 .. tokens} are positions {@code firstPosition ..},
     * whose keys and values are already in the blocks of {@code table}.
     */
    public static AttentionPlan prompt(int[] table, int firstPosition, int tokens, Geometry g) {
        int size = g.blockPositions();
        if (tokens < 1 || firstPosition < 0 || (long) table.length * size < (long) firstPosition + tokens) {
            throw new IllegalArgumentException(tokens + " tokens from position " + firstPosition + " do not fit a table of "
                    + table.length + " blocks of " + size);
        }
        Builder b = new Builder(tokens);
        int start = b.table(table, 0, (firstPosition + tokens + size - 1) / size);
        int tile = g.rowsPerSegment();
        for (int from = 0; from < tokens; from += tile) {
            int to = Math.min(tokens, from + tile);
            int[] rows = new int[to - from];
            for (int t = from; t < to; t++) {
                rows[t - from] = t;
                b.lastPositions[t] = firstPosition + t;
            }
            b.segment(start, 0, firstPosition + to, rows);
        }
        return new AttentionPlan(b, g);
    }

    /** Whether block {@code k} is the same, and full, in every row of the group. */
    private static boolean full(List<Integer> group, int[][] tables, int[] lengths, int k, int size) {
        int id = tables[group.get(0)][k];
        for (int r : group) {
            if (k >= tables[r].length || tables[r][k] != id || (k + 1) * size > lengths[r]) {
                return false;
            }
        }
        return true;
    }

    private static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }

    private record Segment(int tableStart, int firstPosition, int positions, int[] rows) {
    }

    private static final class Builder {
        final List<Integer> tables = new ArrayList<>();
        final List<Segment> segments = new ArrayList<>();
        final int[] lastPositions;

        Builder(int rows) {
            lastPositions = new int[rows];
        }

        int table(int[] table, int from, int to) {
            int start = tables.size();
            for (int i = from; i < to; i++) {
                tables.add(table[i]);
            }
            return start;
        }

        void segment(int tableStart, int firstPosition, int positions, int[] rows) {
            segments.add(new Segment(tableStart, firstPosition, positions, rows));
        }
    }
}
