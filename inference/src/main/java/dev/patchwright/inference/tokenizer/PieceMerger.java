package dev.patchwright.inference.tokenizer;

/**
 * Byte-pair merging of one piece: start from one token per byte, then repeatedly join the adjacent
 * pair with the lowest merge rank (the leftmost among equals) until no pair has a merge. This is
 * the rule of both tiktoken (rank of the joined bytes) and Hugging Face BPE (rank of the merge).
 * Short pieces use a plain scan, O(n²) with tiny constants; long ones a heap over a linked list,
 * O(n log n), so a megabyte without a break stays fast.
 */
final class PieceMerger {

    private static final int HEAP_FROM = 96;
    private static final int NONE = Integer.MAX_VALUE;

    private final PairTable pairs;
    private final int[] byteIds;

    /** @param byteIds the id of the one-byte token of each byte value, indexed by {@code b & 0xff} */
    PieceMerger(PairTable pairs, int[] byteIds) {
        this.pairs = pairs;
        this.byteIds = byteIds;
    }

    /** Merges {@code piece[0, n)}, n at least 1; leaves the ids in {@code ws.ids[0, result)}. */
    int merge(Workspace ws, byte[] piece, int n) {
        ws.mergeCapacity(n);
        int[] ids = ws.ids;
        for (int k = 0; k < n; k++) {
            ids[k] = byteIds[piece[k] & 0xff];
        }
        return n < HEAP_FROM ? mergeByScan(ws, n) : mergeByHeap(ws, n);
    }

    private int mergeByScan(Workspace ws, int n) {
        int[] ids = ws.ids;
        int[] ranks = ws.ranks; // (pair k = ids[k], ids[k + 1])
        int[] joined = ws.joined;
        for (int k = 0; k < n - 1; k++) {
            lookUp(ids, ranks, joined, k, k + 1);
        }
        int m = n;
        while (m > 1) {
            int best = -1;
            int bestRank = NONE;
            for (int k = 0; k < m - 1; k++) {
                if (ranks[k] < bestRank) {
                    bestRank = ranks[k];
                    best = k;
                }
            }
            if (best < 0) {
                break;
            }
            ids[best] = joined[best];
            System.arraycopy(ids, best + 2, ids, best + 1, m - best - 2);
            int shifted = m - best - 3;
            if (shifted > 0) {
                System.arraycopy(ranks, best + 2, ranks, best + 1, shifted);
                System.arraycopy(joined, best + 2, joined, best + 1, shifted);
            }
            m--;
            if (best < m - 1) {
                lookUp(ids, ranks, joined, best, best + 1);
            }
            if (best > 0) {
                lookUp(ids, ranks, joined, best - 1, best);
            }
        }
        return m;
    }

    private int mergeByHeap(Workspace ws, int n) {
        int[] ids = ws.ids;
        int[] ranks = ws.ranks; // (node i: pair i, next[i]); NONE when there is none or i is gone
        int[] joined = ws.joined;
        int[] next = ws.next;
        int[] prev = ws.prev;
        long[] heap = ws.heap; // (rank << 32 | node), a min-heap; stale entries are skipped
        int size = 0;
        for (int k = 0; k < n; k++) {
            next[k] = k + 1 < n ? k + 1 : -1;
            prev[k] = k - 1;
            ranks[k] = NONE;
        }
        for (int k = 0; k < n - 1; k++) {
            lookUp(ids, ranks, joined, k, k + 1);
            if (ranks[k] != NONE) {
                size = push(heap, size, (long) ranks[k] << 32 | k);
            }
        }
        while (size > 0) {
            long top = heap[0];
            size = pop(heap, size);
            int i = (int) top;
            if (ranks[i] != (int) (top >>> 32)) {
                continue;
            }
            int j = next[i];
            ids[i] = joined[i];
            ranks[j] = NONE;
            int after = next[j];
            next[i] = after;
            if (after >= 0) {
                prev[after] = i;
                lookUp(ids, ranks, joined, i, after);
                if (ranks[i] != NONE) {
                    size = push(heap, size, (long) ranks[i] << 32 | i);
                }
            } else {
                ranks[i] = NONE;
            }
            int before = prev[i];
            if (before >= 0) {
                lookUp(ids, ranks, joined, before, i);
                if (ranks[before] != NONE) {
                    size = push(heap, size, (long) ranks[before] << 32 | before);
                }
            }
        }
        int m = 0;
        for (int k = 0; k >= 0; k = next[k]) {
            ids[m++] = ids[k];
        }
        return m;
    }

    private void lookUp(int[] ids, int[] ranks, int[] joined, int left, int right) {
        long merge = pairs.get(ids[left], ids[right]);
        if (merge == PairTable.ABSENT) {
            ranks[left] = NONE;
        } else {
            ranks[left] = (int) (merge >>> 32);
            joined[left] = (int) merge;
        }
    }

    private static int push(long[] heap, int size, long entry) {
        int k = size;
        while (k > 0) {
            int parent = (k - 1) >>> 1;
            if (heap[parent] <= entry) {
                break;
            }
            heap[k] = heap[parent];
            k = parent;
        }
        heap[k] = entry;
        return size + 1;
    }

    private static int pop(long[] heap, int size) {
        int last = size - 1;
        long entry = heap[last];
        int k = 0;
        while (true) {
            int child = 2 * k + 1;
            if (child >= last) {
                break;
            }
            if (child + 1 < last && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= entry) {
                break;
            }
            heap[k] = heap[child];
            k = child;
        }
        heap[k] = entry;
        return last;
    }
}
