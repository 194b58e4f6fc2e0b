package dev.patchwright.inference.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.io.BufferedOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes safetensors files the way the format describes them: an 8-byte little-endian header
 * length, the JSON header, then each tensor's little-endian data. Values are converted to the
 * tensor's dtype by rounding to nearest even (bf16, f16), so tests can write any float.
 */
final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    record Tensor(String dtype, long[] shape, float[] values) {
    }

    SafetensorsWriter add(String name, String dtype, long[] shape, float[] values) {
        tensors.put(name, new Tensor(dtype, shape, values));
        return this;
    }

    SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** The JSON header this writer would write, for tests that corrupt it. */
    String header() {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode node = root.putObject(e.getKey());
            node.put("dtype", e.getValue().dtype());
            ArrayNode shape = node.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            long size = (long) e.getValue().values().length * bytes(e.getValue().dtype());
            node.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        return root.toString();
    }

    void write(Path file) throws IOException {
        write(file, header());
    }

    /** Writes with the given header text in place of the real one. */
    void write(Path file, String header) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            out.write(json);
            for (Tensor t : tensors.values()) {
                ByteBuffer data = ByteBuffer.allocate(t.values().length * bytes(t.dtype())).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : t.values()) {
                    switch (t.dtype()) {
                        case "F32" -> data.putFloat(v);
                        case "BF16" -> data.putShort(toBf16(v));
                        case "F16" -> data.putShort(toF16(v));
                        case "I8" -> data.put((byte) v);
                        default -> throw new IllegalArgumentException(t.dtype());
                    }
                }
                out.write(data.array());
            }
        }
    }

    static int bytes(String dtype) {
        return switch (dtype) {
            case "F32" -> 4;
            case "BF16", "F16" -> 2;
            case "I8" -> 1;
            default -> throw new IllegalArgumentException(dtype);
        };
    }

    static short toBf16(float v) {
        int bits = Float.floatToIntBits(v);
        int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    /** Round-to-nearest-even float to half, for the normal range and zero (what the tests write). */
    static short toF16(float v) {
        if (v == 0) {
            return (short) (Float.floatToIntBits(v) >>> 16 & 0x8000);
        }
        int bits = Float.floatToIntBits(v);
        int sign = bits >>> 16 & 0x8000;
        int exponent = (bits >>> 23 & 0xff) - 127 + 15;
        if (exponent <= 0 || exponent >= 31) {
            throw new IllegalArgumentException(v + " is outside the normal range of f16");
        }
        int mantissa = bits & 0x7fffff;
        int half = exponent << 10 | mantissa >>> 13;
        int rest = mantissa & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) (sign | half);
    }
}
