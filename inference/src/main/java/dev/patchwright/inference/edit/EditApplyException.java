package dev.patchwright.inference.edit;

/**
 * An edit cannot be applied to the repository; the message starts with the file and gives the reason, e.g.
 * {@code "src/Calc.java: SEARCH text not found ..."}. When it is thrown, no file has been changed.
 */
public final class EditApplyException extends EditException {

    private static final long serialVersionUID = 1L;

    /** @param message the file and the reason */
    public EditApplyException(String message) {
        super(message);
    }

    /** @param message the file and the reason */
    public EditApplyException(String message, Throwable cause) {
        super(message, cause);
    }
}
