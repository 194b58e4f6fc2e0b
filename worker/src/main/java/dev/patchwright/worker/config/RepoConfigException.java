package dev.patchwright.worker.config;

/**
 * A repository's {@code .github/patchwright.yml} is wrong. The message names the file, the line
 * and the key, and says what was expected; it is meant to be shown to the repository's users.
 */
public class RepoConfigException extends Exception {

    private final String sourceName;
    private final int line;

    /**
     * @param sourceName the file, e.g. {@code .github/patchwright.yml}
     * @param line       1-based line of the problem, 0 when it concerns the whole file
     * @param problem    what is wrong, without the file and line
     */
    public RepoConfigException(String sourceName, int line, String problem) {
        this(sourceName, line, 0, problem);
    }

    /**
     * @param column 1-based column of the problem, 0 when unknown
     */
    public RepoConfigException(String sourceName, int line, int column, String problem) {
        super(sourceName + (line > 0 ? " line " + line : "") + (line > 0 && column > 0 ? ", column " + column : "")
                + ": " + problem);
        this.sourceName = sourceName;
        this.line = line;
    }

    /** The file the problem is in. */
    public String sourceName() {
        return sourceName;
    }

    /** 1-based line of the problem, 0 when it concerns the whole file. */
    public int line() {
        return line;
    }
}
