package dev.patchwright.inference.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.patchwright.inference.local.LocalCompletion;
import dev.patchwright.inference.local.TextListener;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A streamed answer: {@code chat.completion.chunk} objects as server-sent events. The headers go out with
 * the first piece of text, so a request refused before generation starts still gets a plain error answer.
 * Each choice opens with a chunk that carries its role, then one chunk per piece of text.
 */
final class ChunkStream implements TextListener {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpExchange exchange;
    private final String id;
    private final long created;
    private final String model;
    private final boolean[] opened;
    private OutputStream out;

    ChunkStream(HttpExchange exchange, String id, long created, String model, int n) {
        this.exchange = exchange;
        this.id = id;
        this.created = created;
        this.model = model;
        this.opened = new boolean[n];
    }

    /** A client that went away surfaces as an {@link UncheckedIOException}, which ends the generation. */
    @Override
    public void onText(int sample, String text) {
        try {
            open(sample);
            ObjectNode chunk = chunk();
            ((ArrayNode) chunk.get("choices")).addObject().put("index", sample).putNull("logprobs")
                    .putNull("finish_reason").putObject("delta").put("content", text);
            send(chunk);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends each choice's finish reason, the usage when asked for, and {@code [DONE]}. */
    void finish(LocalCompletion done, boolean includeUsage) throws IOException {
        for (int i = 0; i < done.choices().size(); i++) {
            open(i);
            ObjectNode chunk = chunk();
            ObjectNode choice = ((ArrayNode) chunk.get("choices")).addObject().put("index", i);
            choice.putObject("delta");
            choice.putNull("logprobs");
            choice.put("finish_reason", done.choices().get(i).finish().wireName());
            send(chunk);
        }
        if (includeUsage) {
            ObjectNode chunk = chunk();
            chunk.set("usage", ModelServer.usage(done.usage()));
            send(chunk);
        }
        write("data: [DONE]\n\n");
        out.close();
    }

    /** Whether the headers have gone out: after that, errors can only be reported inside the stream. */
    boolean started() {
        return out != null;
    }

    /** Ends a started stream with an error event, as OpenAI-compatible servers do. */
    void fail(ApiError error) throws IOException {
        write("data: " + error.body() + "\n\n");
        out.close();
    }

    private void open(int sample) throws IOException {
        if (out == null) {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
            out = exchange.getResponseBody();
        }
        if (!opened[sample]) {
            opened[sample] = true;
            ObjectNode chunk = chunk();
            ((ArrayNode) chunk.get("choices")).addObject().put("index", sample).putNull("logprobs")
                    .putNull("finish_reason").putObject("delta").put("role", "assistant").put("content", "");
            send(chunk);
        }
    }

    private ObjectNode chunk() {
        ObjectNode chunk = JSON.createObjectNode();
        chunk.put("id", id);
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", created);
        chunk.put("model", model);
        chunk.putArray("choices");
        return chunk;
    }

    private void send(ObjectNode chunk) throws IOException {
        write("data: " + chunk + "\n\n");
    }

    private void write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
