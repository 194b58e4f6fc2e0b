package dev.patchwright.bot.standin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps every REST request the stand-in answered, in memory and as JSON lines
 * ({@code method, path, query, body, status}) in a file that {@link GitHubRestAudit} reads.
 * Responses stay in memory: an access-token response holds a token, which must not reach a disk.
 */
final class RequestJournal {

    private final Path file;
    private final List<RecordedRequest> requests = new ArrayList<>();

    /** Starts a journal, emptying {@code file} so that it holds this run's requests only. */
    RequestJournal(Path file) {
        this.file = file;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(file, new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the request journal " + file, e);
        }
    }

    synchronized void record(RecordedRequest request) {
        requests.add(request);
        ObjectNode line = GitHubBodies.JSON.createObjectNode();
        line.put("method", request.method()).put("path", request.path()).put("query", request.query());
        line.set("body", request.body());
        line.put("status", request.status());
        try {
            Files.writeString(file, GitHubBodies.JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the request journal " + file, e);
        }
    }

    synchronized List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    /** Parses a journal file back into requests (without responses). */
    static List<RecordedRequest> read(Path file) throws IOException {
        List<RecordedRequest> requests = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode node = GitHubBodies.JSON.readTree(line);
            JsonNode body = node.get("body");
            requests.add(new RecordedRequest(node.path("method").asText(), node.path("path").asText(),
                    node.path("query").isNull() ? null : node.path("query").asText(null),
                    body == null || body.isNull() ? null : body, node.path("status").asInt(), null));
        }
        return requests;
    }
}
