package dev.patchwright.inference.engine.safetensors;

import java.util.Arrays;

/**
 * One tensor as a safetensors header describes it.
 *
 * @param name the tensor's name, e.g. {@code model.layers.3.self_attn.k_proj.weight}
 * @param dtype its element type
 * @param shape its dimensions, outermost first (row-major)
 * @param fileOffset absolute byte offset of its first element in the file (may exceed 2 GiB)
 * @param byteLength its size in bytes
 */
public record TensorEntry(String name, DType dtype, long[] shape, long fileOffset, long byteLength) {

    public TensorEntry {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements: the product of the shape (1 for a scalar). */
    public long elementCount() {
        return elementCount(shape);
    }

    /** The shape as {@code [a, b]}, the way error messages print it. */
    public String shapeText() {
        return Arrays.toString(shape);
    }

    static long elementCount(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorEntry that && name.equals(that.name) && dtype == that.dtype
                && Arrays.equals(shape, that.shape) && fileOffset == that.fileOffset && byteLength == that.byteLength;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + shapeText();
    }
}
