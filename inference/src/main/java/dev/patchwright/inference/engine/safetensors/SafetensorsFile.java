package dev.patchwright.inference.engine.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.inference.engine.ModelLoadException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code .safetensors} file: an 8-byte little-endian header length, a JSON header that maps each
 * tensor name to its dtype, shape and {@code data_offsets} (relative to the end of the header),
 * then the raw little-endian data. Opening reads and checks only the header; tensor data is
 * memory-mapped on demand with {@link #map}, at 64-bit offsets, so files larger than 2 GiB work.
 */
public final class SafetensorsFile {

    /** A header larger than this is not a model header but a corrupt length field. */
    static final long MAX_HEADER_BYTES = 100L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final long size;
    private final Map<String, TensorEntry> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, long size, Map<String, TensorEntry> tensors, Map<String, String> metadata) {
        this.path = path;
        this.size = size;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Reads and checks the header of a safetensors file.
     *
     * @throws ModelLoadException when the file cannot be read, is truncated, its header is not
     *         valid JSON, names an unknown dtype, or a tensor's byte range does not match its shape
     */
    public static SafetensorsFile open(Path path) throws ModelLoadException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new ModelLoadException(path + ": truncated safetensors file: " + size
                        + " bytes, not even the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES) {
                throw new ModelLoadException(path + ": bad safetensors header length " + headerLength
                        + " (expected 1 to " + MAX_HEADER_BYTES + " bytes)");
            }
            if (8 + headerLength > size) {
                throw new ModelLoadException(path + ": truncated safetensors file: the header claims "
                        + headerLength + " bytes but the file has only " + size + " bytes");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            String json = new String(header.array(), StandardCharsets.UTF_8);
            return parse(path, size, 8 + headerLength, json);
        } catch (IOException e) {
            throw new ModelLoadException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static SafetensorsFile parse(Path path, long size, long dataStart, String json) throws ModelLoadException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ModelLoadException(path + ": bad safetensors header JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelLoadException(path + ": bad safetensors header JSON: expected an object of tensors");
        }
        Map<String, TensorEntry> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            if (name.equals("__metadata__")) {
                field.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            TensorEntry entry = entry(path, name, field.getValue(), dataStart);
            if (entry.fileOffset() + entry.byteLength() > size) {
                throw new ModelLoadException(path + ": truncated safetensors file: tensor " + name + " ends at byte "
                        + (entry.fileOffset() + entry.byteLength()) + " but the file has only " + size + " bytes");
            }
            tensors.put(name, entry);
        }
        return new SafetensorsFile(path, size, Collections.unmodifiableMap(tensors),
                Collections.unmodifiableMap(metadata));
    }

    private static TensorEntry entry(Path path, String name, JsonNode node, long dataStart) throws ModelLoadException {
        String where = path + ": tensor " + name;
        if (!node.isObject() || !node.path("dtype").isTextual() || !node.path("shape").isArray()
                || !node.path("data_offsets").isArray() || node.path("data_offsets").size() != 2) {
            throw new ModelLoadException(where + ": bad safetensors header JSON: expected "
                    + "{\"dtype\": ..., \"shape\": [...], \"data_offsets\": [begin, end]}, found " + node);
        }
        String dtypeName = node.get("dtype").asText();
        DType dtype = DType.named(dtypeName);
        if (dtype == null) {
            throw new ModelLoadException(where + ": unknown dtype \"" + dtypeName + "\"");
        }
        JsonNode shapeNode = node.get("shape");
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode dim = shapeNode.get(i);
            if (!dim.canConvertToLong() || !dim.isIntegralNumber() || dim.asLong() < 0) {
                throw new ModelLoadException(where + ": bad shape " + shapeNode + ": dimensions must be non-negative integers");
            }
            shape[i] = dim.asLong();
        }
        JsonNode offsets = node.get("data_offsets");
        if (!offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
            throw new ModelLoadException(where + ": bad data_offsets " + offsets);
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw new ModelLoadException(where + ": bad data_offsets " + offsets + ": expected 0 <= begin <= end");
        }
        long needed;
        try {
            needed = Math.multiplyExact(TensorEntry.elementCount(shape), dtype.bytes());
        } catch (ArithmeticException e) {
            throw new ModelLoadException(where + ": shape " + shapeNode + " is too large");
        }
        if (end - begin != needed) {
            throw new ModelLoadException(where + ": data_offsets " + offsets + " span " + (end - begin)
                    + " bytes, but shape " + shapeNode + " of " + dtype + " needs " + needed);
        }
        return new TensorEntry(name, dtype, shape, dataStart + begin, end - begin);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position + buffer.position());
            if (read < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    /** The file this header came from. */
    public Path path() {
        return path;
    }

    /** The file's size in bytes. */
    public long size() {
        return size;
    }

    /** Every tensor in the file, by name, in header order. */
    public Map<String, TensorEntry> tensors() {
        return tensors;
    }

    /** The header's optional {@code __metadata__} string map (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Maps part of a tensor's data read-only, little-endian.
     *
     * @param entry a tensor of this file
     * @param offset bytes from the tensor's first byte
     * @param length bytes to map, at most {@link Integer#MAX_VALUE}
     * @throws ModelLoadException when the file cannot be mapped
     */
    public ByteBuffer map(TensorEntry entry, long offset, int length) throws ModelLoadException {
        if (offset < 0 || length < 0 || offset + length > entry.byteLength()) {
            throw new IllegalArgumentException(entry.name() + ": bytes [" + offset + ", " + (offset + length)
                    + ") lie outside the tensor's " + entry.byteLength() + " bytes");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, entry.fileOffset() + offset, length);
            return mapped.order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new ModelLoadException(path + ": cannot map tensor " + entry.name() + ": " + e.getMessage(), e);
        }
    }
}
