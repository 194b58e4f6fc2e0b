package dev.patchwright.inference.engine;

import dev.patchwright.inference.model.InferenceException;

/**
 * A model folder cannot be used: a missing or malformed file, an unsupported architecture, a
 * tensor that is missing, has the wrong shape or an unsupported dtype. The message names the file
 * or tensor and what was expected. Never retryable: the same folder fails the same way.
 */
public class ModelLoadException extends InferenceException {

    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message, false, null);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, false, cause);
    }
}
