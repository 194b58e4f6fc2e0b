package dev.patchwright.bot.standin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One REST operation of the stand-in: a method, a path template in GitHub's notation ({@code {name}}
 * matches one segment, a trailing {@code {name+}} the rest of the path), the credential it needs and
 * its handler.
 */
record Route(String method, String template, Auth auth, Handler handler) {

    /** The credential an operation needs, as on GitHub. */
    enum Auth {
        /** An app JWT ({@code Authorization: Bearer <jwt>}). */
        APP,
        /** An installation token ({@code token <t>} or {@code Bearer <t>}). */
        INSTALLATION,
        /** Any valid credential, or none. */
        ANY,
        /**
         * An installation token, or none for a public repository: GitHub lets anyone read a public repository's
         * issues, and answers 404 to an anonymous read of a private one.
         */
        PUBLIC_READ
    }

    /** A matched request: path parameters, query parameters and the parsed JSON body (null when none). */
    record Call(Map<String, String> params, Map<String, String> query, JsonNode body) {
        String param(String name) {
            return params.get(name);
        }

        int number(String name) {
            try {
                return Integer.parseInt(params.get(name));
            } catch (NumberFormatException e) {
                throw ApiError.notFound();
            }
        }
    }

    record Reply(int status, JsonNode body) {}

    @FunctionalInterface
    interface Handler {
        Reply handle(Call call);
    }

    /** Parameters of this route for a path without the API prefix, or null when the path does not match. */
    Map<String, String> match(String path) {
        String[] want = template.substring(1).split("/", -1);
        String[] got = path.substring(1).split("/", -1);
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < want.length; i++) {
            if (i >= got.length) {
                return null;
            }
            String segment = want[i];
            if (segment.endsWith("+}")) {
                String rest = String.join("/", List.of(got).subList(i, got.length));
                if (rest.isEmpty()) {
                    return null;
                }
                params.put(segment.substring(1, segment.length() - 2), decode(rest));
                return params;
            }
            if (segment.startsWith("{")) {
                if (got[i].isEmpty()) {
                    return null;
                }
                params.put(segment.substring(1, segment.length() - 1), decode(got[i]));
            } else if (!segment.equals(got[i])) {
                return null;
            }
        }
        return want.length == got.length ? params : null;
    }

    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** An error answered with GitHub's error body. */
    static final class ApiError extends RuntimeException {
        static final String DOCS = "https://docs.github.com/rest";

        final int status;
        final ObjectNode body;

        ApiError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
            this.body = GitHubBodies.JSON.createObjectNode()
                    .put("message", message).put("documentation_url", DOCS).put("status", Integer.toString(status));
        }

        static ApiError notFound() {
            return new ApiError(404, "Not Found");
        }

        /** GitHub's 422 with one entry in {@code errors}, e.g. {@code resource, field, code}. */
        /**
         * {@code text} when GitHub would accept its length, else GitHub's 422 ("title is too long (maximum is 256
         * characters)"). GitHub counts characters, not bytes.
         */
        static String within(String text, String resource, String field, int max) {
            if (text != null && text.codePointCount(0, text.length()) > max) {
                throw validation("resource", resource, "code", "custom", "field", field,
                        "message", field + " is too long (maximum is " + max + " characters)");
            }
            return text;
        }

        static ApiError validation(String... fields) {
            ApiError error = new ApiError(422, "Validation Failed");
            ArrayNode errors = error.body.putArray("errors");
            ObjectNode entry = errors.addObject();
            for (int i = 0; i < fields.length; i += 2) {
                entry.put(fields[i], fields[i + 1]);
            }
            return error;
        }
    }
}
