package dev.patchwright.inference.engine;

import dev.patchwright.inference.engine.safetensors.DType;
import dev.patchwright.inference.engine.safetensors.SafetensorsFile;
import dev.patchwright.inference.engine.safetensors.TensorEntry;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * A weight matrix of {@code (rows, cols)} elements kept in its stored dtype (F32, F16 or BF16),
 * usually memory-mapped from a safetensors file. Kernels decode one row at a time into floats, so
 * a bf16 model stays bf16 in memory. A matrix larger than one {@link ByteBuffer} can address
 * (2 GiB) is held as several buffers, each a whole number of rows.
 */
public final class WeightMatrix {

    /** Largest mapping per buffer; rows never straddle two buffers. */
    static final long MAX_CHUNK_BYTES = Integer.MAX_VALUE - 7;

    private static final float[] F16_TO_F32 = halfTable();

    private final String name;
    private final DType dtype;
    private final int rows;
    private final int cols;
    private final int rowsPerChunk;
    private final ShortBuffer[] halves;
    private final FloatBuffer[] floats;

    private WeightMatrix(String name, DType dtype, int rows, int cols, int rowsPerChunk, ByteBuffer[] chunks) {
        this.name = name;
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
        this.rowsPerChunk = rowsPerChunk;
        this.halves = new ShortBuffer[chunks.length];
        this.floats = new FloatBuffer[chunks.length];
        for (int i = 0; i < chunks.length; i++) {
            ByteBuffer chunk = chunks[i].duplicate().order(ByteOrder.LITTLE_ENDIAN);
            if (dtype == DType.F32) {
                floats[i] = chunk.asFloatBuffer();
            } else {
                halves[i] = chunk.asShortBuffer();
            }
        }
    }

    /**
     * Maps a tensor of a safetensors file as a {@code (rows, cols)} matrix.
     *
     * @param maxChunkBytes the most bytes one mapping may hold (rounded down to whole rows)
     * @throws ModelLoadException when the file cannot be mapped
     */
    public static WeightMatrix map(SafetensorsFile file, TensorEntry entry, int rows, int cols, long maxChunkBytes)
            throws ModelLoadException {
        if (!entry.dtype().isFloatWeight()) {
            throw new IllegalArgumentException(entry.name() + ": dtype " + entry.dtype() + " is not a float weight");
        }
        if ((long) rows * cols != entry.elementCount()) {
            throw new IllegalArgumentException(entry.name() + ": " + entry.elementCount() + " elements, not " + rows + " x " + cols);
        }
        long rowBytes = (long) cols * entry.dtype().bytes();
        int rowsPerChunk = (int) Math.max(1, Math.min(rows, Math.min(maxChunkBytes, MAX_CHUNK_BYTES) / Math.max(1, rowBytes)));
        int chunkCount = Math.max(1, (rows + rowsPerChunk - 1) / rowsPerChunk);
        ByteBuffer[] chunks = new ByteBuffer[chunkCount];
        for (int c = 0; c < chunkCount; c++) {
            int first = c * rowsPerChunk;
            int count = Math.min(rowsPerChunk, rows - first);
            chunks[c] = file.map(entry, first * rowBytes, (int) (count * rowBytes));
        }
        return new WeightMatrix(entry.name(), entry.dtype(), rows, cols, rowsPerChunk, chunks);
    }

    /** A matrix over heap floats, row-major; for tests and small derived weights. */
    public static WeightMatrix of(String name, float[] data, int rows, int cols) {
        if ((long) rows * cols != data.length) {
            throw new IllegalArgumentException(name + ": " + data.length + " floats, not " + rows + " x " + cols);
        }
        ByteBuffer bytes = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(data);
        return new WeightMatrix(name, DType.F32, rows, cols, Math.max(1, rows), new ByteBuffer[] {bytes});
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Bytes the matrix occupies in its stored dtype: what one full pass over it reads. */
    public long byteSize() {
        return (long) rows * cols * dtype.bytes();
    }

    /**
     * Decodes row {@code row} into {@code dst[dstOffset .. dstOffset + cols)}.
     *
     * @param scratch at least {@code cols} shorts, the caller's, so that the hot loop allocates nothing
     */
    public void readRow(int row, float[] dst, int dstOffset, short[] scratch) {
        int chunk = row / rowsPerChunk;
        int index = (row - chunk * rowsPerChunk) * cols;
        if (dtype == DType.F32) {
            floats[chunk].get(index, dst, dstOffset, cols);
            return;
        }
        halves[chunk].get(index, scratch, 0, cols);
        if (dtype == DType.BF16) {
            for (int i = 0; i < cols; i++) {
                dst[dstOffset + i] = Float.intBitsToFloat(scratch[i] << 16);
            }
        } else {
            for (int i = 0; i < cols; i++) {
                dst[dstOffset + i] = F16_TO_F32[scratch[i] & 0xffff];
            }
        }
    }

    /**
     * Copies row {@code row}'s stored bits, undecoded, into {@code dst[0 .. cols)}: for kernels that
     * decode bf16 or f16 themselves.
     *
     * @throws IllegalStateException for an F32 matrix, which has no 16-bit form
     */
    public void readBits(int row, short[] dst) {
        if (dtype == DType.F32) {
            throw new IllegalStateException(this + " holds floats, not 16-bit values");
        }
        int chunk = row / rowsPerChunk;
        halves[chunk].get((row - chunk * rowsPerChunk) * cols, dst, 0, cols);
    }

    /**
     * The dot product of row {@code row} with {@code x[xOffset .. xOffset + cols)}, decoding the
     * stored dtype on the fly: what a decode step needs, with no float copy of the row. Sums in
     * the same order as {@code CpuKernels.dot} over a decoded row, so both give the same float.
     *
     * @param scratch at least {@code cols} shorts, the caller's
     */
    public float dot(int row, float[] x, int xOffset, short[] scratch) {
        int chunk = row / rowsPerChunk;
        int index = (row - chunk * rowsPerChunk) * cols;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        if (dtype == DType.F32) {
            FloatBuffer f = floats[chunk];
            for (; i + 3 < cols; i += 4) {
                s0 += f.get(index + i) * x[xOffset + i];
                s1 += f.get(index + i + 1) * x[xOffset + i + 1];
                s2 += f.get(index + i + 2) * x[xOffset + i + 2];
                s3 += f.get(index + i + 3) * x[xOffset + i + 3];
            }
            for (; i < cols; i++) {
                s0 += f.get(index + i) * x[xOffset + i];
            }
            return (s0 + s1) + (s2 + s3);
        }
        halves[chunk].get(index, scratch, 0, cols);
        if (dtype == DType.BF16) {
            for (; i + 3 < cols; i += 4) {
                s0 += Float.intBitsToFloat(scratch[i] << 16) * x[xOffset + i];
                s1 += Float.intBitsToFloat(scratch[i + 1] << 16) * x[xOffset + i + 1];
                s2 += Float.intBitsToFloat(scratch[i + 2] << 16) * x[xOffset + i + 2];
                s3 += Float.intBitsToFloat(scratch[i + 3] << 16) * x[xOffset + i + 3];
            }
            for (; i < cols; i++) {
                s0 += Float.intBitsToFloat(scratch[i] << 16) * x[xOffset + i];
            }
        } else {
            for (; i + 3 < cols; i += 4) {
                s0 += F16_TO_F32[scratch[i] & 0xffff] * x[xOffset + i];
                s1 += F16_TO_F32[scratch[i + 1] & 0xffff] * x[xOffset + i + 1];
                s2 += F16_TO_F32[scratch[i + 2] & 0xffff] * x[xOffset + i + 2];
                s3 += F16_TO_F32[scratch[i + 3] & 0xffff] * x[xOffset + i + 3];
            }
            for (; i < cols; i++) {
                s0 += F16_TO_F32[scratch[i] & 0xffff] * x[xOffset + i];
            }
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** The whole matrix as floats, row-major: for vectors such as norms and biases. */
    public float[] toFloats() {
        if ((long) rows * cols > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(name + " is too large to copy to the heap");
        }
        float[] out = new float[rows * cols];
        short[] scratch = new short[cols];
        for (int r = 0; r < rows; r++) {
            readRow(r, out, r * cols, scratch);
        }
        return out;
    }

    /** IEEE 754 half precision to float, exact for every one of the 65,536 bit patterns. */
    static float halfToFloat(int bits) {
        int sign = (bits & 0x8000) != 0 ? -1 : 1;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return mantissa == 0 ? sign * Float.POSITIVE_INFINITY : Float.NaN;
        }
        if (exponent == 0) {
            return sign * Math.scalb((float) mantissa, -24);
        }
        return sign * Math.scalb((float) (mantissa | 0x400), exponent - 25);
    }

    private static float[] halfTable() {
        float[] table = new float[1 << 16];
        for (int i = 0; i < table.length; i++) {
            table[i] = halfToFloat(i);
        }
        return table;
    }

    @Override
    public String toString() {
        return name + " " + dtype + " [" + rows + ", " + cols + "]";
    }
}
