package dev.patchwright.inference.tokenizer;

/**
 * The byte-level mapping of GPT-2 that Hugging Face byte-level BPE vocabularies are written in: each
 * byte is one printable character, the printable Latin-1 bytes as themselves and the rest (controls,
 * space, a few others) shifted to U+0100 onwards in byte order.
 */
final class ByteLevelAlphabet {

    private static final char[] CHAR_OF_BYTE = new char[256];
    private static final int[] BYTE_OF_CHAR = new int[512];

    static {
        java.util.Arrays.fill(BYTE_OF_CHAR, -1);
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
            char c = printable ? (char) b : (char) (256 + shifted++);
            CHAR_OF_BYTE[b] = c;
            BYTE_OF_CHAR[c] = b;
        }
    }

    private ByteLevelAlphabet() {
    }

    /** The one-character string that stands for byte {@code b} (0 to 255). */
    static String charOf(int b) {
        return String.valueOf(CHAR_OF_BYTE[b]);
    }

    /** The bytes a vocabulary entry stands for, or null when it has a character outside the alphabet. */
    static byte[] bytesOf(String token) {
        byte[] bytes = new byte[token.length()];
        for (int i = 0; i < bytes.length; i++) {
            char c = token.charAt(i);
            int b = c < BYTE_OF_CHAR.length ? BYTE_OF_CHAR[c] : -1;
            if (b < 0) {
                return null;
            }
            bytes[i] = (byte) b;
        }
        return bytes;
    }
}
