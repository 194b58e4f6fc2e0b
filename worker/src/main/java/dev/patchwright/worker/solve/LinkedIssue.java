package dev.patchwright.worker.solve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The issue a past fix was made for, as the backtest gives it to the search: the text of the issue its commit
 * message references ({@code Fixes #12}, {@code (#12)}, {@code Merge pull request #12}, a full issue URL), read with
 * GitHub's REST API ({@code GET /repos/{owner}/{repo}/issues/{number}}); else the commit message. A reference that
 * turns out to be a pull request leads on to the issues its description closes, never to its own text (that
 * describes the fix). Thread-safe.
 */
public final class LinkedIssue {

    /** References looked up per case at most, pull requests' included: a message that lists fifty costs no more. */
    static final int MAX_LOOKUPS = 4;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern URL = Pattern.compile(
            "https?://[^/\\s]+/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)/(?:issues|pull)/(\\d+)");
    private static final Pattern REF = Pattern.compile(
            "(?<![A-Za-z0-9_&/#])(?:([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+))?#(\\d+)\\b");
    private static final Pattern CLOSING = Pattern.compile(
            "(?i)\\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\\s*:?\\s+$");

    /**
     * What the search is told.
     *
     * @param title  the issue's title
     * @param body   its text
     * @param source where it came from, for {@code results.json}: {@code issue owner/name#12}, or
     *               {@code commit message} with why no issue was used
     */
    public record IssueText(String title, String body, String source) {
    }

    /** An issue reference: {@code owner/name#number}. */
    record Reference(String repository, int number) {
        @Override
        public String toString() {
            return repository + "#" + number;
        }
    }

    private final URI api;
    private final String repository;
    private final String token;
    private final HttpClient http;

    /**
     * @param api        GitHub's REST API root ({@code https://api.github.com}, or GitHub Enterprise's
     *                   {@code https://host/api/v3})
     * @param repository {@code owner/name} on GitHub that bare {@code #12} references mean, or null when the history
     *                   is not a GitHub repository's (then only full issue URLs are looked up)
     * @param token      a token for the API, or null to read public repositories anonymously; never logged
     */
    public LinkedIssue(URI api, String repository, String token) {
        this.api = URI.create(api.toString().replaceAll("/+$", "") + "/");
        this.repository = repository;
        this.token = token == null || token.isBlank() ? null : token.strip();
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** The commit message as the issue: its first line the title, the rest the text. */
    public static IssueText commitMessage(String message, String why) {
        String text = message.strip();
        int newline = text.indexOf('\n');
        return new IssueText(newline < 0 ? text : text.substring(0, newline).strip(),
                newline < 0 ? "" : text.substring(newline + 1).strip(), "commit message" + (why == null ? "" : " (" + why + ")"));
    }

    /** The issue {@code message} references, when one can be read; else the message itself, saying why. */
    public IssueText find(String message) {
        List<Reference> references = references(message, repository);
        if (references.isEmpty()) {
            return commitMessage(message, repository == null && REF.matcher(message).find()
                    ? "no GitHub repository to look #references up in" : "it references no issue");
        }
        List<String> problems = new ArrayList<>();
        Set<Reference> seen = new LinkedHashSet<>();
        List<Reference> queue = new ArrayList<>(references);
        while (!queue.isEmpty() && seen.size() < MAX_LOOKUPS) {
            Reference ref = queue.remove(0);
            if (!seen.add(ref)) {
                continue;
            }
            JsonNode issue;
            try {
                issue = read(ref);
            } catch (IOException e) {
                problems.add(ref + " unavailable: " + e.getMessage());
                continue;
            }
            if (issue.hasNonNull("pull_request")) {
                // A pull request's own text describes the fix: only the issues it closes are the issue.
                List<Reference> closed = closing(issue.path("body").asText(""), ref.repository());
                problems.add(ref + " is a pull request" + (closed.isEmpty() ? " that closes no issue" : ""));
                queue.addAll(0, closed);
                continue;
            }
            return new IssueText(issue.path("title").asText(""), issue.path("body").asText(""), "issue " + ref);
        }
        return commitMessage(message, String.join("; ", problems));
    }

    private JsonNode read(Reference ref) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(api.resolve("repos/" + ref.repository() + "/issues/"
                        + ref.number()))
                .timeout(Duration.ofSeconds(20))
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28")
                .header("User-Agent", "patchwright-backtest");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            throw new IOException(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + (response.statusCode() == 404
                    ? " (no such issue, or a private repository without a token)" : ""));
        }
        JsonNode issue = JSON.readTree(response.body());
        if (!issue.path("title").isTextual()) {
            throw new IOException("the answer has no title");
        }
        return issue;
    }

    /**
     * Every issue {@code message} references, the ones it says it closes first, then the rest in the order written,
     * each once. Bare {@code #12} means an issue of {@code repository}, and is left out when that is null.
     */
    static List<Reference> references(String message, String repository) {
        Set<Reference> closing = new LinkedHashSet<>();
        Set<Reference> other = new LinkedHashSet<>();
        for (Mention mention : mentions(message, repository)) {
            (mention.closes() ? closing : other).add(mention.ref());
        }
        Set<Reference> all = new LinkedHashSet<>(closing);
        all.addAll(other);
        return List.copyOf(all);
    }

    /** The issues a pull request's description says it closes, in the order written. */
    static List<Reference> closing(String body, String repository) {
        return mentions(body, repository).stream().filter(Mention::closes).map(Mention::ref).distinct().toList();
    }

    private record Mention(int at, Reference ref, boolean closes) {
    }

    private static List<Mention> mentions(String text, String repository) {
        List<Mention> found = new ArrayList<>();
        Matcher url = URL.matcher(text);
        while (url.find()) {
            found.add(new Mention(url.start(), new Reference(url.group(1) + "/" + url.group(2),
                    Integer.parseInt(url.group(3))), closes(text, url.start())));
        }
        String withoutUrls = URL.matcher(text).replaceAll(m -> " ".repeat(m.group().length()));
        Matcher ref = REF.matcher(withoutUrls);
        while (ref.find()) {
            String repo = ref.group(1) != null ? ref.group(1) : repository;
            if (repo != null) {
                found.add(new Mention(ref.start(), new Reference(repo, Integer.parseInt(ref.group(2))),
                        closes(withoutUrls, ref.start())));
            }
        }
        found.sort(java.util.Comparator.comparingInt(Mention::at));
        return found;
    }

    private static boolean closes(String text, int at) {
        return CLOSING.matcher(text.substring(Math.max(0, at - 20), at)).find();
    }
}
