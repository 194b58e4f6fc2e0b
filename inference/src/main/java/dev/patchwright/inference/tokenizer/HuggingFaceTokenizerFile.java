package dev.patchwright.inference.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Reads a Hugging Face {@code tokenizer.json} (or {@code .json.gz}) with a byte-level BPE model, as
 * Qwen2/Qwen3 and Llama 3 ship: {@code model.vocab}, {@code model.merges} (as {@code "a b"} strings
 * or {@code [a, b]} pairs), an optional NFC/NFD/NFKC/NFKD normalizer, a pre-tokenizer that is a
 * {@code Sequence} of one {@code Split} (behaviour {@code Isolated}) and a {@code ByteLevel} without
 * its own regex, or a lone {@code ByteLevel} with the GPT-2 regex, and {@code added_tokens}. The
 * post-processor is not applied: ids are those of {@code add_special_tokens=false}.
 */
final class HuggingFaceTokenizerFile {

    /** What a {@code ByteLevel} pre-tokenizer with {@code use_regex: true} splits with. */
    static final String GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private final Path file;

    private HuggingFaceTokenizerFile(Path file) {
        this.file = file;
    }

    /**
     * The tokenizer in {@code file}, named {@code name}.
     *
     * @throws IllegalArgumentException when the file cannot be read, is not JSON, or describes
     *                                  something this encoder does not support; the message names it
     */
    static BytePairEncoder load(String name, Path file) {
        return new HuggingFaceTokenizerFile(file).build(name, read(file));
    }

    /**
     * The tokenizer in {@code file}, named {@code name}, with its added tokens (and which of them are
     * special) and what {@code tokenizer_config.json} and {@code generation_config.json} beside it
     * say about end-of-sequence tokens and the chat template.
     *
     * @throws IllegalArgumentException as {@link #load}, or when a config file beside it is not JSON
     */
    static GenerationTokenizer loadForGeneration(String name, Path file) {
        JsonNode root = read(file);
        HuggingFaceTokenizerFile reader = new HuggingFaceTokenizerFile(file);
        BytePairEncoder encoder = reader.build(name, root);
        Set<String> special = new HashSet<>();
        for (JsonNode token : root.path("added_tokens")) {
            if (token.path("special").asBoolean(false)) {
                special.add(token.path("content").asText());
            }
        }
        AddedTokens added = new AddedTokens(name, reader.addedTokens(root.path("added_tokens")), special);
        return new GenerationTokenizer(encoder, added, TokenizerConfigFiles.besides(file));
    }

    private static JsonNode read(Path file) {
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read tokenizer file " + file + ": " + e.getMessage(), e);
        }
    }

    private BytePairEncoder build(String name, JsonNode root) {
        JsonNode model = root.path("model");
        String type = model.path("type").asText("");
        if (!type.equals("BPE")) {
            throw bad("model.type is '" + type + "'; only byte-level BPE is supported");
        }
        if (!model.path("dropout").isNull() && !model.path("dropout").isMissingNode()
                && model.path("dropout").asDouble() != 0) {
            throw bad("model.dropout is set; only deterministic BPE is supported");
        }
        for (String field : new String[]{"continuing_subword_prefix", "end_of_word_suffix"}) {
            if (!model.path(field).asText("").isEmpty()) {
                throw bad("model." + field + " is set; byte-level BPE does not use it");
            }
        }
        if (model.path("byte_fallback").asBoolean(false)) {
            throw bad("model.byte_fallback is set; only byte-level BPE is supported");
        }
        JsonNode vocabNode = model.path("vocab");
        if (!vocabNode.isObject() || vocabNode.isEmpty()) {
            throw bad("model.vocab is missing or empty");
        }
        JsonNode mergesNode = model.path("merges");
        if (!mergesNode.isArray()) {
            throw bad("model.merges is missing");
        }

        Map<String, Integer> specials = addedTokens(root.path("added_tokens"));
        Map<String, Integer> vocab = new HashMap<>(vocabNode.size() * 2);
        int size = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getValue().canConvertToInt() || entry.getValue().asInt() < 0) {
                throw bad("model.vocab entry '" + entry.getKey() + "' has no valid id");
            }
            vocab.put(entry.getKey(), entry.getValue().asInt());
            size = Math.max(size, entry.getValue().asInt() + 1);
        }
        for (int id : specials.values()) {
            size = Math.max(size, id + 1);
        }
        byte[][] tokenBytes = new byte[size][];
        for (Map.Entry<String, Integer> entry : vocab.entrySet()) {
            byte[] bytes = ByteLevelAlphabet.bytesOf(entry.getKey());
            if (bytes == null) {
                if (!specials.containsKey(entry.getKey())) {
                    throw bad("model.vocab entry '" + entry.getKey()
                            + "' has a character outside the byte-level alphabet; only byte-level BPE is supported");
                }
                bytes = entry.getKey().getBytes(StandardCharsets.UTF_8);
            }
            tokenBytes[entry.getValue()] = bytes;
        }
        specials.forEach((text, id) -> tokenBytes[id] = text.getBytes(StandardCharsets.UTF_8));

        int[] byteIds = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(ByteLevelAlphabet.charOf(b));
            if (id == null) {
                throw bad("model.vocab has no token for byte " + b + " ('" + ByteLevelAlphabet.charOf(b)
                        + "'); only byte-level BPE is supported");
            }
            byteIds[b] = id;
        }
        PairTable pairs = new PairTable(mergesNode.size());
        int rank = 0;
        for (JsonNode merge : mergesNode) {
            String left;
            String right;
            if (merge.isTextual()) {
                String[] parts = merge.asText().split(" ", -1);
                if (parts.length != 2) {
                    throw bad("model.merges[" + rank + "] '" + merge.asText() + "' is not two tokens separated by a space");
                }
                left = parts[0];
                right = parts[1];
            } else if (merge.isArray() && merge.size() == 2 && merge.get(0).isTextual() && merge.get(1).isTextual()) {
                left = merge.get(0).asText();
                right = merge.get(1).asText();
            } else {
                throw bad("model.merges[" + rank + "] is neither \"a b\" nor [a, b]: " + merge);
            }
            Integer l = vocab.get(left);
            Integer r = vocab.get(right);
            Integer joined = vocab.get(left + right);
            if (l == null || r == null || joined == null) {
                throw bad("model.merges[" + rank + "] (" + left + " " + right + ") names a token not in model.vocab");
            }
            pairs.put(l, r, rank++, joined);
        }
        ByteSequenceTable wholePieces = null;
        if (model.path("ignore_merges").asBoolean(false)) {
            byte[][] keys = new byte[vocab.size()][];
            int[] ids = new int[vocab.size()];
            int k = 0;
            for (Map.Entry<String, Integer> entry : vocab.entrySet()) {
                keys[k] = tokenBytes[entry.getValue()];
                ids[k++] = entry.getValue();
            }
            wholePieces = new ByteSequenceTable(keys, ids);
        }
        checkDecoder(root.path("decoder"));
        return new BytePairEncoder(name, preTokenizer(root.path("pre_tokenizer")), normalization(root.path("normalizer")),
                byteIds, wholePieces, pairs, tokenBytes, specials);
    }

    private Map<String, Integer> addedTokens(JsonNode added) {
        Map<String, Integer> specials = new HashMap<>();
        if (added.isMissingNode() || added.isNull()) {
            return specials;
        }
        if (!added.isArray()) {
            throw bad("added_tokens is not a list");
        }
        for (JsonNode token : added) {
            String content = token.path("content").asText("");
            if (content.isEmpty() || !token.path("id").canConvertToInt() || token.path("id").asInt() < 0) {
                throw bad("added_tokens entry " + token + " has no content or id");
            }
            for (String flag : new String[]{"lstrip", "rstrip", "single_word"}) {
                if (token.path(flag).asBoolean(false)) {
                    throw bad("added token '" + content + "' sets " + flag + ", which is not supported");
                }
            }
            specials.put(content, token.path("id").asInt());
        }
        return specials;
    }

    private PreTokenizer preTokenizer(JsonNode node) {
        String type = node.path("type").asText("");
        if (type.equals("ByteLevel")) {
            checkByteLevel(node, true);
            return new RegexPreTokenizer(GPT2_PATTERN);
        }
        if (!type.equals("Sequence") || node.path("pretokenizers").size() != 2) {
            throw bad("pre_tokenizer must be a Sequence of Split and ByteLevel, or a ByteLevel; it is " + node);
        }
        JsonNode split = node.path("pretokenizers").get(0);
        checkByteLevel(node.path("pretokenizers").get(1), false);
        if (!split.path("type").asText("").equals("Split")
                || !split.path("behavior").asText("").equals("Isolated")
                || split.path("invert").asBoolean(false)) {
            throw bad("pre_tokenizer's first step must be a Split with behavior Isolated, not inverted; it is " + split);
        }
        JsonNode pattern = split.path("pattern");
        if (pattern.has("Regex")) {
            String regex = pattern.get("Regex").asText();
            PieceScanner scanner = PieceScanner.forPattern(regex);
            return scanner != null ? scanner : new RegexPreTokenizer(regex);
        }
        if (pattern.has("String")) {
            return new RegexPreTokenizer(java.util.regex.Pattern.quote(pattern.get("String").asText()));
        }
        throw bad("pre_tokenizer Split has neither a Regex nor a String pattern: " + pattern);
    }

    private void checkByteLevel(JsonNode node, boolean withRegex) {
        if (!node.path("type").asText("").equals("ByteLevel")) {
            throw bad("pre_tokenizer's last step must be ByteLevel; it is " + node);
        }
        if (node.path("add_prefix_space").asBoolean(false)) {
            throw bad("ByteLevel add_prefix_space is set, which is not supported");
        }
        if (node.path("use_regex").asBoolean(true) != withRegex) {
            throw bad("ByteLevel use_regex must be " + withRegex + " here; it is " + node);
        }
    }

    private void checkDecoder(JsonNode node) {
        if (!node.isMissingNode() && !node.isNull() && !node.path("type").asText("").equals("ByteLevel")) {
            throw bad("decoder must be ByteLevel; it is " + node);
        }
    }

    private Normalizer.Form normalization(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        String type = node.path("type").asText("");
        return switch (type) {
            case "NFC" -> Normalizer.Form.NFC;
            case "NFD" -> Normalizer.Form.NFD;
            case "NFKC" -> Normalizer.Form.NFKC;
            case "NFKD" -> Normalizer.Form.NFKD;
            default -> throw bad("normalizer '" + type + "' is not supported; only NFC, NFD, NFKC, NFKD or none");
        };
    }

    private IllegalArgumentException bad(String what) {
        return new IllegalArgumentException("tokenizer file " + file + ": " + what);
    }
}
