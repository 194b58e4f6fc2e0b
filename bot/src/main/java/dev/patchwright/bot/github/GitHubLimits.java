package dev.patchwright.bot.github;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.kohsuke.github.HttpException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What GitHub accepts, and what it says when it does not. GitHub refuses a pull request title over 256
 * characters and an issue, pull request or comment body over 65,536 ({@code 422 Validation Failed}); everything
 * the bot writes is cut to fit before it is sent, and a refusal is turned into a sentence instead of raw JSON.
 */
public final class GitHubLimits {

    /** The longest title GitHub accepts, in characters. */
    public static final int TITLE = 256;
    /** The longest body GitHub accepts, in characters. */
    public static final int BODY = 65_536;

    /** The longest check run output summary or text GitHub accepts, in characters. */
    public static final int CHECK_OUTPUT = 65_535;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CUT = "\n\n*(Cut to fit GitHub's limit of 65,536 characters; the job's full record "
            + "is kept by Patchwright.)*\n";

    private GitHubLimits() {
    }

    /** {@code title} cut to {@link #TITLE} characters (whole code points), ending in "…" when cut. */
    public static String title(String title) {
        return cut(title, TITLE, "…");
    }

    /** {@code body} cut to {@link #BODY} characters, saying so at its end when cut. */
    public static String body(String body) {
        return cut(body, BODY, CUT);
    }

    /** A check run's summary or text cut to {@link #CHECK_OUTPUT} characters, saying so at its end when cut. */
    public static String checkOutput(String text) {
        return cut(text, CHECK_OUTPUT, CUT.replace("65,536", "65,535"));
    }

    private static String cut(String text, int limit, String marker) {
        if (text == null || text.codePointCount(0, text.length()) <= limit) {
            return text;
        }
        int keep = limit - marker.codePointCount(0, marker.length());
        return text.substring(0, text.offsetByCodePoints(0, keep)) + marker;
    }

    /**
     * What went wrong, in words: for GitHub's validation errors their messages ("title is too long (maximum is 256
     * characters)"), for other HTTP errors the status and GitHub's message, never the raw JSON.
     */
    public static String describe(IOException e) {
        if (!(e instanceof HttpException http) || http.getMessage() == null) {
            return e.getMessage();
        }
        try {
            JsonNode body = JSON.readTree(http.getMessage());
            List<String> details = new ArrayList<>();
            for (JsonNode error : body.path("errors")) {
                String message = error.path("message").asText("");
                if (message.isEmpty() && error.has("field")) {
                    message = error.path("field").asText() + " is " + error.path("code").asText("invalid")
                            .replace('_', ' ');
                }
                if (!message.isEmpty()) {
                    details.add(message);
                }
            }
            String message = body.path("message").asText("GitHub refused the request");
            return "GitHub answered " + http.getResponseCode() + " (" + message + ")"
                    + (details.isEmpty() ? "" : ": " + String.join("; ", details));
        } catch (IOException | RuntimeException notJson) {
            return "GitHub answered " + http.getResponseCode() + ": " + firstLine(http.getMessage());
        }
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
