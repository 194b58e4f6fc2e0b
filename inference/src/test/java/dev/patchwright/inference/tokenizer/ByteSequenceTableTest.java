package dev.patchwright.inference.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByteSequenceTableTest {

    @Test
    void findsEveryKeyOfEveryLengthAndNothingElse() {
        Random random = new Random(7);
        int count = 20_000;
        byte[][] keys = new byte[count][];
        int[] values = new int[count];
        Map<String, Integer> expected = new HashMap<>();
        for (int i = 0; i < count; i++) {
            byte[] key = new byte[1 + random.nextInt(24)];
            random.nextBytes(key);
            keys[i] = key;
            values[i] = i;
            expected.putIfAbsent(Arrays.toString(key), i);
        }
        ByteSequenceTable table = new ByteSequenceTable(keys, values);
        assertThat(table.size()).isEqualTo(expected.size());
        for (byte[] key : keys) {
            int want = expected.get(Arrays.toString(key));
            // Inside a larger buffer, and flush against its end (where 8 bytes cannot be read at once).
            byte[] middle = new byte[key.length + 40];
            random.nextBytes(middle);
            System.arraycopy(key, 0, middle, 16, key.length);
            assertThat(table.get(middle, 16, key.length)).isEqualTo(want);
            byte[] end = new byte[key.length + 3];
            System.arraycopy(key, 0, end, 3, key.length);
            assertThat(table.get(end, 3, key.length)).isEqualTo(want);
            // A prefix or an extension of a key is another key, or absent.
            if (key.length > 1) {
                int prefix = table.get(key, 0, key.length - 1);
                assertThat(prefix).isEqualTo(expected.getOrDefault(Arrays.toString(Arrays.copyOf(key, key.length - 1)), -1));
            }
        }
        assertThat(table.get("not a key at all".getBytes(StandardCharsets.UTF_8), 0, 16)).isEqualTo(-1);
        assertThat(table.get(new byte[0], 0, 0)).isEqualTo(-1);
    }

    @Test
    void theFirstOfEqualKeysWinsAndBytesWithTheHighBitSetAreKeysToo() {
        byte[] high = {(byte) 0xE2, (byte) 0x82, (byte) 0xAC};
        ByteSequenceTable table = new ByteSequenceTable(new byte[][] {{'a', 'b'}, {'a', 'b'}, high, null},
                new int[] {5, 6, 7, 8});
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.get(new byte[] {'a', 'b'}, 0, 2)).isEqualTo(5);
        assertThat(table.get(high, 0, 3)).isEqualTo(7);
        // Same low bits, other high bits: not the same key.
        assertThat(table.get(new byte[] {(byte) 0xE2, (byte) 0x82, (byte) 0x2C}, 0, 3)).isEqualTo(-1);
    }

    @Test
    void refusesWhatTheSlotLayoutCannotHold() {
        assertThatThrownBy(() -> new ByteSequenceTable(new byte[][] {{1, 2}}, new int[] {ByteSequenceTable.MAX_VALUES}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id 1048576");
        assertThatThrownBy(() -> new ByteSequenceTable(new byte[][] {new byte[5000]}, new int[] {3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5000 bytes");
    }
}
