package dev.patchwright.inference.tokenizer.chat;

import dev.patchwright.inference.tokenizer.AddedTokens;
import dev.patchwright.inference.tokenizer.GenerationTokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The chat prompt formats this project renders, each matching one published Jinja chat template
 * for plain system, user and assistant messages with {@code add_generation_prompt=true} (tools,
 * tool calls and images are not rendered).
 */
public enum ChatFormat {
    /** Plain ChatML: no default system message. */
    CHATML("chatml", List.of("<|im_start|>", "<|im_end|>"), List.of("<|im_end|>", "<|endoftext|>")),
    /** Qwen2-Instruct: ChatML, with system message "You are a helpful assistant." when none is given. */
    QWEN2("qwen2", List.of("<|im_start|>", "<|im_end|>"), List.of("<|im_end|>", "<|endoftext|>")),
    /**
     * Qwen2.5-Instruct and Qwen2.5-Coder-Instruct: ChatML, with system message "You are Qwen, created
     * by Alibaba Cloud. You are a helpful assistant." when none is given.
     */
    QWEN2_5("qwen2.5", List.of("<|im_start|>", "<|im_end|>"), List.of("<|im_end|>", "<|endoftext|>")),
    /** Qwen3: ChatML with {@code <think>} blocks; see {@link ChatTemplate#withThinking}. */
    QWEN3("qwen3", List.of("<|im_start|>", "<|im_end|>", "<think>", "</think>"),
            List.of("<|im_end|>", "<|endoftext|>")),
    /** Meta-Llama-3-Instruct (3.0): header format, no default system message. */
    LLAMA_3("llama3", List.of("<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"),
            List.of("<|eot_id|>", "<|end_of_text|>", "<|eom_id|>")),
    /**
     * Llama 3.1, 3.2 and 3.3 Instruct: header format with a system turn that always opens with the
     * knowledge cutoff and today's date; see {@link ChatTemplate#withDate}.
     */
    LLAMA_3_1("llama3.1", List.of("<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"),
            List.of("<|eot_id|>", "<|end_of_text|>", "<|eom_id|>"));

    private final String id;
    private final List<String> requiredTokens;
    private final List<String> stopTokens;

    ChatFormat(String id, List<String> requiredTokens, List<String> stopTokens) {
        this.id = id;
        this.requiredTokens = requiredTokens;
        this.stopTokens = stopTokens;
    }

    /** The name of this format in configuration, e.g. {@code qwen3} or {@code llama3.1}. */
    public String id() {
        return id;
    }

    /** The control tokens a tokenizer must have for this format. */
    public List<String> requiredTokens() {
        return requiredTokens;
    }

    /** The control tokens that end an answer in this format, where the vocabulary has them. */
    public List<String> stopTokens() {
        return stopTokens;
    }

    /**
     * The format named {@code id} (case-insensitive), e.g. from a model's configuration.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static ChatFormat named(String id) {
        for (ChatFormat format : values()) {
            if (format.id.equals(id.toLowerCase(Locale.ROOT))) {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown chat format '" + id + "'; known: " + known());
    }

    /**
     * The format of {@code tokenizer}'s model. When its {@code tokenizer_config.json} has a chat
     * template, the template's text decides (Qwen3 mentions {@code enable_thinking}, Qwen2.5 and
     * Qwen2 their default system messages, Llama 3.1 its knowledge cutoff); without one the added
     * tokens do ({@code <think>} means Qwen3, {@code <|eom_id|>} Llama 3.1, otherwise plain ChatML
     * or Llama 3).
     *
     * @throws IllegalArgumentException when the vocabulary has neither ChatML's nor Llama 3's control
     *                                  tokens; the message names the tokenizer and the known formats
     */
    public static ChatFormat detect(GenerationTokenizer tokenizer) {
        AddedTokens added = tokenizer.addedTokens();
        Optional<String> template = tokenizer.chatTemplateSource();
        if (added.contains("<|im_start|>") && added.contains("<|im_end|>")) {
            if (template.isEmpty()) {
                return added.contains("<think>") && added.contains("</think>") ? QWEN3 : CHATML;
            }
            String source = template.get();
            if (source.contains("enable_thinking")) {
                return QWEN3;
            }
            if (source.contains("You are Qwen, created by Alibaba Cloud. You are a helpful assistant.")) {
                return QWEN2_5;
            }
            return source.contains("You are a helpful assistant.") ? QWEN2 : CHATML;
        }
        if (added.contains("<|start_header_id|>") && added.contains("<|end_header_id|>")) {
            if (template.isPresent()) {
                return template.get().contains("Cutting Knowledge Date") ? LLAMA_3_1 : LLAMA_3;
            }
            return added.contains("<|eom_id|>") ? LLAMA_3_1 : LLAMA_3;
        }
        throw new IllegalArgumentException("tokenizer " + tokenizer.name() + " has no known chat format: it has"
                + " neither <|im_start|> and <|im_end|> (ChatML, Qwen) nor <|start_header_id|> and"
                + " <|end_header_id|> (Llama 3); name one of: " + known());
    }

    private static String known() {
        return String.join(", ", Arrays.stream(values()).map(ChatFormat::id).toList());
    }
}
