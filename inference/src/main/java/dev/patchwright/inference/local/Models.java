package dev.patchwright.inference.local;

import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.model.Model;
import dev.patchwright.inference.openai.OpenAiCompatibleModel;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** Opens a {@link Model} from the one string operators configure: a local model folder or a server's URL. */
public final class Models {

    /** The prefix of a spec that names a model folder: {@code local:/models/qwen3-8b}. */
    public static final String LOCAL_PREFIX = "local:";

    private Models() {
    }

    /** Whether {@code spec} names a model folder for the local engine rather than a server. */
    public static boolean isLocal(String spec) {
        return spec != null && spec.startsWith(LOCAL_PREFIX);
    }

    /**
     * {@code local:<folder>}: the folder on Patchwright's own engine ({@link LocalModel}, named after the folder
     * unless {@code name} is given); an {@code http(s)} URL: an {@link OpenAiCompatibleModel} at that base URL.
     *
     * @param name the model name sent to a server; for a local folder, the name it answers to (null: the folder's)
     * @param apiKey the server's bearer token, or null; unused for a local folder
     * @param timeout the longest one call to a server may take; unused for a local folder
     * @throws InferenceException when the local folder cannot be opened, naming what is wrong
     * @throws IllegalArgumentException when the spec is neither a {@code local:} folder nor an http(s) URL
     */
    public static Model open(String spec, String name, String apiKey, Duration timeout) throws InferenceException {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("no model given: use local:/path/to/model-folder or an http(s) base URL");
        }
        if (isLocal(spec)) {
            String folder = spec.substring(LOCAL_PREFIX.length());
            if (folder.isBlank()) {
                throw new IllegalArgumentException("'local:' names no folder; write local:/path/to/model-folder");
            }
            if (name == null || name.isBlank()) {
                return LocalModel.open(Path.of(folder));
            }
            return LocalModel.open(Path.of(folder), name, LocalModel.DEFAULT_PREFIX_CACHE_BYTES);
        }
        return new OpenAiCompatibleModel(URI.create(spec), apiKey, name, timeout);
    }
}
