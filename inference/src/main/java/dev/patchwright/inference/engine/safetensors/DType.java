package dev.patchwright.inference.engine.safetensors;

/**
 * The element types a safetensors header may name, with their size in bytes. The engine computes
 * with {@link #F32}, {@link #F16} and {@link #BF16} weights; the others are recognised so that a
 * file holding them still parses and the error can say which tensor has which dtype.
 */
public enum DType {
    BOOL(1), U8(1), I8(1), F8_E4M3(1), F8_E5M2(1),
    I16(2), U16(2), F16(2), BF16(2),
    I32(4), U32(4), F32(4),
    I64(8), U64(8), F64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** Whether the engine can compute with weights stored in this type. */
    public boolean isFloatWeight() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** The type a header names, or {@code null} when the name is not a safetensors dtype. */
    public static DType named(String name) {
        for (DType type : values()) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        return null;
    }
}
