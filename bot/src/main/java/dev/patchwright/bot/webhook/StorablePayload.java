package dev.patchwright.bot.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A delivery's body as PostgreSQL's {@code jsonb} will take it. JSON allows {@code \u0000} and lone
 * surrogate halves ({@code \ud800}) in strings, which jsonb refuses, so a signed delivery holding
 * one (an issue body anyone can write) would fail to be stored and be lost. Such characters are
 * replaced with U+FFFD, the Unicode replacement character, in keys and values alike; any other body
 * is stored as it came.
 */
final class StorablePayload {

    /** The escapes that can produce what jsonb refuses; most bodies have none and are not walked. */
    private static final Pattern SUSPECT = Pattern.compile("\\\\u(?:0000|[dD][89abcdefABCDEF])");
    private static final char REPLACEMENT = '\uFFFD';

    /** The text to store and how many characters were replaced in it. */
    record Stored(String text, int replaced) {
    }

    private StorablePayload() {
    }

    /**
     * @param payload the body as received (signature checked)
     * @param root    the same body parsed; its strings are fixed in place when some must be replaced
     */
    static Stored of(byte[] payload, JsonNode root, ObjectMapper json) throws JsonProcessingException {
        String text = new String(payload, StandardCharsets.UTF_8);
        if (!SUSPECT.matcher(text).find()) {
            return new Stored(text, 0);
        }
        int[] replaced = {0};
        clean(root, replaced);
        return replaced[0] == 0 ? new Stored(text, 0) : new Stored(json.writeValueAsString(root), replaced[0]);
    }

    private static void clean(JsonNode node, int[] replaced) {
        if (node instanceof ObjectNode object) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            object.fields().forEachRemaining(fields::add);
            for (Map.Entry<String, JsonNode> field : fields) {
                String key = clean(field.getKey(), replaced);
                JsonNode value = field.getValue().isTextual()
                        ? TextNode.valueOf(clean(field.getValue().textValue(), replaced)) : field.getValue();
                clean(value, replaced);
                if (!key.equals(field.getKey())) {
                    object.remove(field.getKey());
                }
                object.set(key, value);
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i).isTextual()) {
                    array.set(i, TextNode.valueOf(clean(array.get(i).textValue(), replaced)));
                } else {
                    clean(array.get(i), replaced);
                }
            }
        }
    }

    private static String clean(String text, int[] replaced) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            boolean bad = c == 0 || Character.isSurrogate(c) && !pair;
            if (bad && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                out.append(bad ? REPLACEMENT : c);
                if (pair) {
                    out.append(text.charAt(i + 1));
                }
            }
            if (bad) {
                replaced[0]++;
            }
            if (pair) {
                i++;
            }
        }
        return out == null ? text : out.toString();
    }
}
