package dev.patchwright.inference.tokenizer;

import com.knuddels.jtokkit.Encodings;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * The tiktoken encodings {@code o200k_base} and {@code cl100k_base}, read from the rank files that
 * jtokkit bundles (lines of {@code base64(token) rank}). A token's rank is its id, and a pair of
 * adjacent tokens merges when their joined bytes are a token, at that token's rank.
 */
final class TiktokenEncoding {

    private TiktokenEncoding() {
    }

    /** @throws IllegalArgumentException for a name other than {@code o200k_base} and {@code cl100k_base} */
    static BytePairEncoder load(String name) {
        return switch (name) {
            case "o200k_base" -> build(name, PieceScanner.O200K_PATTERN, specialTokens(name));
            case "cl100k_base" -> build(name, PieceScanner.CL100K_PATTERN, specialTokens(name));
            default -> throw new IllegalArgumentException("unknown tiktoken encoding '" + name
                    + "'; known: o200k_base, cl100k_base");
        };
    }

    /**
     * The special tokens tiktoken defines for encoding {@code name}, with their ids.
     *
     * @throws IllegalArgumentException for a name other than {@code o200k_base} and {@code cl100k_base}
     */
    static Map<String, Integer> specialTokens(String name) {
        return switch (name) {
            case "o200k_base" -> Map.of("<|endoftext|>", 199999, "<|endofprompt|>", 200018);
            case "cl100k_base" -> Map.of("<|endoftext|>", 100257, "<|fim_prefix|>", 100258,
                    "<|fim_middle|>", 100259, "<|fim_suffix|>", 100260, "<|endofprompt|>", 100276);
            default -> throw new IllegalArgumentException("unknown tiktoken encoding '" + name
                    + "'; known: o200k_base, cl100k_base");
        };
    }

    private static BytePairEncoder build(String name, String pattern, Map<String, Integer> specials) {
        RankTables tables = RankTables.of(name, readResource(name), () -> derive(name));
        byte[][] tokens = tables.tokens();
        int[] ids = new int[tokens.length];
        Arrays.setAll(ids, i -> i);
        ByteSequenceTable table = new ByteSequenceTable(tokens, ids);
        PairTable pairs = new PairTable(tokens.length * 5 / 2);
        for (int i = 0; i < tables.mergeId().length; i++) {
            pairs.put(tables.mergeLeft()[i], tables.mergeRight()[i], tables.mergeId()[i], tables.mergeId()[i]);
        }
        int[] byteIds = new int[256];
        for (int b = 0; b < 256; b++) {
            byteIds[b] = table.get(new byte[]{(byte) b}, 0, 1);
            if (byteIds[b] < 0) {
                throw new IllegalStateException(name + " has no token for byte " + b);
            }
        }
        int size = tokens.length;
        for (int id : specials.values()) {
            size = Math.max(size, id + 1);
        }
        byte[][] all = Arrays.copyOf(tokens, size);
        specials.forEach((text, id) -> all[id] = text.getBytes(StandardCharsets.UTF_8));
        return new BytePairEncoder(name, PieceScanner.forPattern(pattern), null, byteIds, table, pairs, all,
                specials);
    }

    /**
     * A pair of adjacent tokens merges when their joined bytes are a token, at that token's rank:
     * every split of every token into two tokens is such a merge.
     */
    private static RankTables derive(String name) {
        byte[][] tokens = readRanks(name);
        int[] ids = new int[tokens.length];
        Arrays.setAll(ids, i -> i);
        ByteSequenceTable table = new ByteSequenceTable(tokens, ids);
        int capacity = tokens.length * 4;
        int[] left = new int[capacity];
        int[] right = new int[capacity];
        int[] joined = new int[capacity];
        int merges = 0;
        for (int id = 0; id < tokens.length; id++) {
            byte[] token = tokens[id];
            if (token == null || token.length < 2) {
                continue;
            }
            for (int split = 1; split < token.length; split++) {
                int l = table.get(token, 0, split);
                int r = l < 0 ? -1 : table.get(token, split, token.length - split);
                if (r >= 0) {
                    if (merges == left.length) {
                        left = Arrays.copyOf(left, merges * 2);
                        right = Arrays.copyOf(right, merges * 2);
                        joined = Arrays.copyOf(joined, merges * 2);
                    }
                    left[merges] = l;
                    right[merges] = r;
                    joined[merges] = id;
                    merges++;
                }
            }
        }
        return RankTables.of(tokens, left, right, joined, merges);
    }

    /** The rank file's bytes, which name its cached tables. */
    private static byte[] readResource(String name) {
        String resource = "/com/knuddels/jtokkit/" + name + ".tiktoken";
        try (InputStream in = Encodings.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("jtokkit's rank file " + resource + " is not on the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read jtokkit's rank file " + resource, e);
        }
    }

    /** The token bytes indexed by rank; null where a rank is unused. */
    private static byte[][] readRanks(String name) {
        String resource = "/com/knuddels/jtokkit/" + name + ".tiktoken";
        try (InputStream in = Encodings.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("jtokkit's rank file " + resource + " is not on the class path");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            Base64.Decoder base64 = Base64.getDecoder();
            byte[][] tokens = new byte[1 << 16][];
            int max = -1;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isEmpty()) {
                    continue;
                }
                int space = line.indexOf(' ');
                int rank = Integer.parseInt(line, space + 1, line.length(), 10);
                if (rank >= tokens.length) {
                    tokens = Arrays.copyOf(tokens, Math.max(rank + 1, tokens.length * 2));
                }
                tokens[rank] = base64.decode(line.substring(0, space));
                max = Math.max(max, rank);
            }
            return Arrays.copyOf(tokens, max + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read jtokkit's rank file " + resource, e);
        }
    }
}
