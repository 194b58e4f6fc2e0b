package dev.patchwright.inference.edit;

/**
 * One edit the model asked for: replace {@code search} with {@code replace} in the file at {@code path}.
 *
 * @param path the file, relative to the repository root, with forward slashes, as the model wrote it
 * @param search the exact lines to find, each ending in {@code \n}; empty means "create the file"
 * @param replace the lines to put in their place, each ending in {@code \n}; may be empty (delete the lines)
 */
public record FileEdit(String path, String search, String replace) {

    /** @throws IllegalArgumentException when a field is null */
    public FileEdit {
        if (path == null) {
            throw new IllegalArgumentException("path must not be null");
        }
        if (search == null) {
            throw new IllegalArgumentException("search must not be null");
        }
        if (replace == null) {
            throw new IllegalArgumentException("replace must not be null");
        }
    }

    /** Whether this edit creates a new file (its SEARCH section is empty). */
    public boolean createsFile() {
        return search.isEmpty();
    }

    /** Shows the path and sizes only; the texts can be long. */
    @Override
    public String toString() {
        return "FileEdit[path=" + path + ", search=" + search.length() + " chars, replace=" + replace.length()
                + " chars]";
    }
}
