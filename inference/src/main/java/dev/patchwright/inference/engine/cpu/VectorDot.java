package dev.patchwright.inference.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The bf16 matrix-vector dot product of decode on the JDK's vector API ({@code jdk.incubator.vector}).
 * Only {@link CpuKernels} touches this class, and only when the module is in the boot layer: without
 * it (a JVM started without {@code --add-modules jdk.incubator.vector}) loading it would fail.
 *
 * <p>bf16 is the upper half of a float, so a vector of shorts read as ints holds two weights per
 * lane: the even element in the low half ({@code lane << 16} is its float) and the odd one in the
 * high half ({@code lane & 0xffff0000}). Converting costs two integer operations per 2 lanes and
 * no shuffle, if x is first split into the matching even and odd halves of each block, once per
 * matmul ({@link #splitEvenOdd}). The sums are taken in another order than the scalar
 * {@code WeightMatrix.dot}, so results differ from it by float rounding (VectorDotTest bounds it).
 */
final class VectorDot {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_PREFERRED;
    /** Elements of one block: a vector of shorts, two float vectors. */
    static final int BLOCK = SHORTS.length();

    private VectorDot() {
    }

    /**
     * Copies {@code x[xo .. xo + cols)} to {@code dst[dstOffset ..]} with each whole block of
     * {@link #BLOCK} elements split into its even elements, then its odd ones; the tail that makes
     * no whole block is copied as it is.
     */
    static void splitEvenOdd(float[] x, int xo, int cols, float[] dst, int dstOffset) {
        int half = BLOCK / 2;
        int whole = cols - cols % BLOCK;
        for (int b = 0; b < whole; b += BLOCK) {
            for (int j = 0; j < half; j++) {
                dst[dstOffset + b + j] = x[xo + b + 2 * j];
                dst[dstOffset + b + half + j] = x[xo + b + 2 * j + 1];
            }
        }
        System.arraycopy(x, xo + whole, dst, dstOffset + whole, cols - whole);
    }

    /**
     * {@code Σ bf16(row[i]) · x[i]} over {@code cols} elements.
     *
     * @param row the row's bf16 bits
     * @param split x as {@link #splitEvenOdd} left it, from {@code so}
     */
    static float dotBf16(short[] row, float[] split, int so, int cols) {
        int half = BLOCK / 2;
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector a1 = FloatVector.zero(FLOATS);
        FloatVector a2 = FloatVector.zero(FLOATS);
        FloatVector a3 = FloatVector.zero(FLOATS);
        int i = 0;
        // Two blocks per step: four independent sums hide the latency of the fused multiply-adds.
        for (; i + 2 * BLOCK <= cols; i += 2 * BLOCK) {
            IntVector v = ShortVector.fromArray(SHORTS, row, i).reinterpretAsInts();
            IntVector u = ShortVector.fromArray(SHORTS, row, i + BLOCK).reinterpretAsInts();
            a0 = even(v).fma(FloatVector.fromArray(FLOATS, split, so + i), a0);
            a1 = odd(v).fma(FloatVector.fromArray(FLOATS, split, so + i + half), a1);
            a2 = even(u).fma(FloatVector.fromArray(FLOATS, split, so + i + BLOCK), a2);
            a3 = odd(u).fma(FloatVector.fromArray(FLOATS, split, so + i + BLOCK + half), a3);
        }
        for (; i + BLOCK <= cols; i += BLOCK) {
            IntVector v = ShortVector.fromArray(SHORTS, row, i).reinterpretAsInts();
            a0 = even(v).fma(FloatVector.fromArray(FLOATS, split, so + i), a0);
            a1 = odd(v).fma(FloatVector.fromArray(FLOATS, split, so + i + half), a1);
        }
        float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            sum += Float.intBitsToFloat(row[i] << 16) * split[so + i];
        }
        return sum;
    }

    private static FloatVector even(IntVector pairs) {
        return pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static FloatVector odd(IntVector pairs) {
        return pairs.and(0xffff0000).reinterpretAsFloats();
    }
}
