package dev.patchwright.inference.engine;

/** The model families the engine runs, by their Hugging Face {@code architectures} name. */
public enum Architecture {
    /** Llama 2 and 3: optional llama3 RoPE scaling, optional attention biases. */
    LLAMA("LlamaForCausalLM"),
    /** Qwen2 and Qwen2.5: biases on the q, k and v projections. */
    QWEN2("Qwen2ForCausalLM"),
    /** Qwen3: per-head RMSNorm on queries and keys before RoPE; head_dim set explicitly. */
    QWEN3("Qwen3ForCausalLM");

    private final String huggingFaceName;

    Architecture(String huggingFaceName) {
        this.huggingFaceName = huggingFaceName;
    }

    /** The name {@code config.json} gives in {@code architectures}. */
    public String huggingFaceName() {
        return huggingFaceName;
    }

    /** The architecture of that name, or {@code null} when the engine does not run it. */
    public static Architecture named(String name) {
        for (Architecture a : values()) {
            if (a.huggingFaceName.equals(name)) {
                return a;
            }
        }
        return null;
    }
}
