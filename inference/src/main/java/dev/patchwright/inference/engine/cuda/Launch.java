package dev.patchwright.inference.engine.cuda;

/**
 * A kernel launch's geometry: a grid of blocks, threads per block and dynamic shared memory.
 * Checked against CUDA's limits when made, so that a bad size fails here, naming the number,
 * rather than as a launch error on the device.
 *
 * @param gridX blocks along x, 1 .. 2^31 - 1
 * @param gridY blocks along y, 1 .. 65535
 * @param gridZ blocks along z, 1 .. 65535
 * @param threads threads per block, a multiple of 32 in 32 .. 1024
 * @param sharedBytes dynamic shared memory per block, &gt;= 0
 */
public record Launch(int gridX, int gridY, int gridZ, int threads, int sharedBytes) {

    /** Blocks a grid-stride loop needs at most: enough to fill any current GPU several times. */
    public static final int MAX_STRIDE_BLOCKS = 4096;

    public Launch {
        if (gridX < 1 || gridY < 1 || gridY > 65535 || gridZ < 1 || gridZ > 65535) {
            throw new IllegalArgumentException("grid " + gridX + " x " + gridY + " x " + gridZ
                    + " outside CUDA's limits (x 1..2^31-1, y and z 1..65535)");
        }
        if (threads < 32 || threads > 1024 || threads % 32 != 0) {
            throw new IllegalArgumentException("threads per block must be a multiple of 32 in 32..1024, found " + threads);
        }
        if (sharedBytes < 0) {
            throw new IllegalArgumentException("dynamic shared memory must be >= 0 bytes, found " + sharedBytes);
        }
    }

    /** One block per row (or per item), {@code threads} threads each. */
    public static Launch perRow(int rows, int threads) {
        return new Launch(rows, 1, 1, threads, 0);
    }

    /** A 2-D grid of {@code x} by {@code y} blocks. */
    public static Launch grid(int x, int y, int threads, int sharedBytes) {
        return new Launch(x, y, 1, threads, sharedBytes);
    }

    /**
     * A grid-stride loop over {@code n} elements: as many blocks as cover them, at most
     * {@link #MAX_STRIDE_BLOCKS}; at least one.
     */
    public static Launch stride(long n, int threads) {
        if (n < 0) {
            throw new IllegalArgumentException("element count must be >= 0, found " + n);
        }
        long blocks = Math.max(1, Math.min(MAX_STRIDE_BLOCKS, (n + threads - 1) / Math.max(1, threads)));
        return new Launch((int) blocks, 1, 1, threads, 0);
    }

    /** Blocks of {@code threads} threads that give one warp to each of {@code rows} rows, at most {@code maxBlocks}. */
    public static Launch warpPerRow(int rows, int threads, int maxBlocks) {
        int warps = threads / 32;
        int blocks = Math.max(1, Math.min(maxBlocks, (rows + warps - 1) / warps));
        return new Launch(blocks, 1, 1, threads, 0);
    }

    /** Total blocks. */
    public long blocks() {
        return (long) gridX * gridY * gridZ;
    }
}
