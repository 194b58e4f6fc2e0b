package dev.patchwright.inference.edit;

/**
 * A model's edits could not be read or applied. The message names what is wrong and where, in words fit to show
 * a user and to send back to the model so it can correct itself.
 */
public abstract class EditException extends Exception {

    private static final long serialVersionUID = 1L;

    EditException(String message) {
        super(message);
    }

    EditException(String message, Throwable cause) {
        super(message, cause);
    }
}
