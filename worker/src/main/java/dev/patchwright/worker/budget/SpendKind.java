package dev.patchwright.worker.budget;

/** What money is spent on; each kind has its own price. */
public enum SpendKind {
    /** A call to a model billed by tokens (a hosted API, or any OpenAI-compatible server). */
    MODEL("model"),
    /** A command run in the sandbox (setup, tests), billed per CPU-hour. */
    SANDBOX("sandbox"),
    /** A call to Patchwright's own engine in this process, billed per GPU-hour of compute. */
    LOCAL_ENGINE("local-engine");

    private final String label;

    SpendKind(String label) {
        this.label = label;
    }

    /** The name the database and reports use: {@code model}, {@code sandbox}, {@code local-engine}. */
    public String label() {
        return label;
    }

    /** The kind with this {@link #label()}. @throws IllegalArgumentException naming the label */
    public static SpendKind of(String label) {
        for (SpendKind kind : values()) {
            if (kind.label.equals(label)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown spend kind '" + label + "'");
    }
}
