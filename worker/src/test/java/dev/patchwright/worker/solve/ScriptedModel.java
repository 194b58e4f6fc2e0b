package dev.patchwright.worker.solve;

import dev.patchwright.inference.model.ChatRequest;
import dev.patchwright.inference.model.Completion;
import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.model.Model;
import dev.patchwright.inference.model.Usage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A model that answers from a script, in order, and remembers every request it was sent. */
final class ScriptedModel implements Model {
    private final Deque<String> answers;
    /** The last message of each request, in order. */
    final List<String> prompts = new ArrayList<>();
    /** Every request, whole. */
    final List<ChatRequest> requests = new ArrayList<>();
    int calls;
    InferenceException failWith;
    Usage usage = new Usage(100, 0, 10);

    ScriptedModel(String... answers) {
        this.answers = new ArrayDeque<>(List.of(answers));
    }

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public Completion complete(ChatRequest request) throws InferenceException {
        calls++;
        requests.add(request);
        prompts.add(request.messages().get(request.messages().size() - 1).content());
        if (failWith != null) {
            throw failWith;
        }
        if (answers.isEmpty()) {
            throw new InferenceException("the script is exhausted", false, null);
        }
        return new Completion("scripted", List.of(answers.poll()), usage);
    }
}
