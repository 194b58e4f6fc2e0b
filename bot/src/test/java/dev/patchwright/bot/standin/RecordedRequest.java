package dev.patchwright.bot.standin;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One REST request the GitHub stand-in answered.
 *
 * @param method   HTTP method, upper case
 * @param path     the path without the {@code /api/v3} prefix, as sent (still percent-encoded)
 * @param query    the raw query string, or null when there was none
 * @param body     the request body parsed as JSON, or null when empty or not JSON
 * @param status   the HTTP status answered
 * @param response the body answered (kept in memory only: it may hold a token, so never written out)
 */
public record RecordedRequest(String method, String path, String query, JsonNode body, int status, JsonNode response) {

    /** The query parameters, decoded; a repeated name keeps its last value. */
    public Map<String, String> queryParameters() {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return parameters;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            parameters.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return parameters;
    }

    @Override
    public String toString() {
        return method + " " + path + (query == null ? "" : "?" + query) + " -> " + status;
    }
}
