package dev.patchwright.inference.edit;

/** The model's answer does not follow the SEARCH/REPLACE format; the message names the block and the line. */
public final class EditFormatException extends EditException {

    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and where, e.g. {@code "block 2 (src/A.java): missing ======= ..."} */
    public EditFormatException(String message) {
        super(message);
    }
}
