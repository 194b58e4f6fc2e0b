package dev.patchwright.inference.engine;

import dev.patchwright.inference.engine.safetensors.DType;
import dev.patchwright.inference.engine.safetensors.SafetensorsFile;
import dev.patchwright.inference.engine.safetensors.TensorEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsFileTest {

    @TempDir
    Path dir;

    private SafetensorsWriter twoTensors() {
        return new SafetensorsWriter().metadata("format", "pt")
                .add("a", "F32", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6})
                .add("b", "BF16", new long[] {4}, new float[] {0.5f, -1, 2, 3});
    }

    @Test
    void readsTheHeaderAndMapsTheData() throws Exception {
        Path file = dir.resolve("t.safetensors");
        twoTensors().write(file);
        SafetensorsFile st = SafetensorsFile.open(file);
        assertThat(st.metadata()).containsEntry("format", "pt");
        assertThat(st.tensors().keySet()).containsExactly("a", "b");
        TensorEntry b = st.tensors().get("b");
        assertThat(b.dtype()).isEqualTo(DType.BF16);
        assertThat(b.shape()).containsExactly(4);
        assertThat(b.byteLength()).isEqualTo(8);
        assertThat(b.fileOffset()).isEqualTo(st.size() - 8);
        assertThat(WeightMatrix.map(st, st.tensors().get("a"), 2, 3, Long.MAX_VALUE).toFloats()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(WeightMatrix.map(st, b, 1, 4, Long.MAX_VALUE).toFloats()).containsExactly(0.5f, -1, 2, 3);
    }

    @Test
    void badHeaderJsonIsNamed() throws Exception {
        Path file = dir.resolve("t.safetensors");
        twoTensors().write(file, "{\"a\": {\"dtype\": \"F32\",");
        assertThatThrownBy(() -> SafetensorsFile.open(file)).isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(file + ": bad safetensors header JSON");
    }

    @Test
    void anUnknownDtypeIsNamedWithItsTensor() throws Exception {
        Path file = dir.resolve("t.safetensors");
        SafetensorsWriter writer = twoTensors();
        writer.write(file, writer.header().replace("\"BF16\"", "\"Q4_K\""));
        assertThatThrownBy(() -> SafetensorsFile.open(file)).isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": tensor b: unknown dtype \"Q4_K\"");
    }

    @Test
    void aTruncatedFileNamesTheTensorThatIsCutOff() throws Exception {
        Path file = dir.resolve("t.safetensors");
        twoTensors().write(file);
        long size = Files.size(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size - 3);
        }
        assertThatThrownBy(() -> SafetensorsFile.open(file)).isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": truncated safetensors file: tensor b ends at byte " + size
                        + " but the file has only " + (size - 3) + " bytes");
        Files.write(file, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafetensorsFile.open(file)).hasMessageContaining("not even the 8-byte header length");
        byte[] claimsTooMuch = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array();
        Files.write(file, claimsTooMuch);
        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .hasMessageContaining("the header claims 1000 bytes but the file has only 12 bytes");
    }

    @Test
    void offsetsThatDisagreeWithTheShapeAreRefused() throws Exception {
        Path file = dir.resolve("t.safetensors");
        SafetensorsWriter writer = twoTensors();
        writer.write(file, writer.header().replace("\"shape\":[2,3]", "\"shape\":[3,3]"));
        assertThatThrownBy(() -> SafetensorsFile.open(file)).isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": tensor a: data_offsets [0,24] span 24 bytes, but shape [3,3] of F32 needs 36");
    }

    /**
     * A sparse file of just over 2 GiB (it costs no disk): one tensor that itself exceeds what one
     * buffer can map, and one that starts past the 2 GiB mark.
     */
    @Test
    void mapsTensorsBeyondTwoGibibytes() throws Exception {
        Path file = dir.resolve("large.safetensors");
        long bigRows = (1L << 21) + 4; // x 256 floats = 2 GiB + 4 KiB
        long bigBytes = bigRows * 256 * 4;
        String header = "{\"big\":{\"dtype\":\"F32\",\"shape\":[" + bigRows + ",256],\"data_offsets\":[0," + bigBytes + "]},"
                + "\"far\":{\"dtype\":\"BF16\",\"shape\":[2,4],\"data_offsets\":[" + bigBytes + "," + (bigBytes + 16) + "]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        long dataStart = 8 + json.length;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            raf.write(json);
            raf.setLength(dataStart + bigBytes + 16);
            ByteBuffer lastRow = ByteBuffer.allocate(256 * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 256; i++) {
                lastRow.putFloat(i + 0.5f);
            }
            raf.seek(dataStart + bigBytes - 1024);
            raf.write(lastRow.array());
            ByteBuffer far = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : new float[] {1, 2, 3, 4, -1, -2, -3, -4}) {
                far.putShort(SafetensorsWriter.toBf16(v));
            }
            raf.write(far.array());
        }
        SafetensorsFile st = SafetensorsFile.open(file);
        TensorEntry farEntry = st.tensors().get("far");
        assertThat(farEntry.fileOffset()).isGreaterThan(Integer.MAX_VALUE);
        WeightMatrix far = WeightMatrix.map(st, farEntry, 2, 4, Long.MAX_VALUE);
        float[] row = new float[4];
        far.readRow(1, row, 0, new short[4]);
        assertThat(row).containsExactly(-1, -2, -3, -4);

        WeightMatrix big = WeightMatrix.map(st, st.tensors().get("big"), (int) bigRows, 256, Long.MAX_VALUE);
        float[] wide = new float[256];
        big.readRow((int) bigRows - 1, wide, 0, new short[256]);
        assertThat(wide[0]).isEqualTo(0.5f);
        assertThat(wide[255]).isEqualTo(255.5f);
        big.readRow(0, wide, 0, new short[256]);
        assertThat(wide).containsOnly(0f);
    }
}
