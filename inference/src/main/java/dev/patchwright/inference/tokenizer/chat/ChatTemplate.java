package dev.patchwright.inference.tokenizer.chat;

import dev.patchwright.inference.model.ChatMessage;
import dev.patchwright.inference.tokenizer.GenerationTokenizer;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Renders a conversation into a prompt for one model family, text and token ids, as that family's
 * published chat template does (see {@link ChatFormat} for which template each format matches).
 * Control tokens come only from the template; message contents are always encoded as ordinary
 * text, so a file that contains {@code <|im_end|>} cannot end a turn. Hugging Face's
 * {@code apply_chat_template} gives the same ids whenever no message spells an added token.
 * Immutable and safe to share between threads.
 */
public final class ChatTemplate {

    /** The date Llama 3.1's template writes when it is given none. */
    public static final String LLAMA_3_1_DEFAULT_DATE = "26 Jul 2024";

    private final ChatFormat format;
    private final GenerationTokenizer tokenizer;
    private final boolean thinking;
    private final String date;

    private ChatTemplate(ChatFormat format, GenerationTokenizer tokenizer, boolean thinking, String date) {
        this.format = format;
        this.tokenizer = tokenizer;
        this.thinking = thinking;
        this.date = date;
    }

    /**
     * The template of {@code format} over {@code tokenizer}'s vocabulary, with thinking on (Qwen3)
     * and the template's own default date (Llama 3.1).
     *
     * @throws IllegalArgumentException when the vocabulary lacks one of the format's control tokens
     */
    public static ChatTemplate of(ChatFormat format, GenerationTokenizer tokenizer) {
        for (String token : format.requiredTokens()) {
            if (!tokenizer.addedTokens().contains(token)) {
                throw new IllegalArgumentException("chat format " + format.id() + " needs control token " + token
                        + ", which tokenizer " + tokenizer.name() + " does not have");
            }
        }
        return new ChatTemplate(format, tokenizer, true, LLAMA_3_1_DEFAULT_DATE);
    }

    /**
     * The template of the format {@link ChatFormat#detect} finds for {@code tokenizer}.
     *
     * @throws IllegalArgumentException when no known format fits the tokenizer
     */
    public static ChatTemplate forTokenizer(GenerationTokenizer tokenizer) {
        return of(ChatFormat.detect(tokenizer), tokenizer);
    }

    /**
     * This template with Qwen3's {@code enable_thinking} set: off, the generation prompt ends with
     * an empty think block so the model answers at once. Other formats ignore it.
     */
    public ChatTemplate withThinking(boolean enabled) {
        return new ChatTemplate(format, tokenizer, enabled, date);
    }

    /**
     * This template with Llama 3.1's {@code date_string}, e.g. {@code 28 Nov 2026}. Other formats ignore it.
     *
     * @throws IllegalArgumentException when {@code date} is blank or spans lines
     */
    public ChatTemplate withDate(String date) {
        if (date.isBlank() || date.contains("\n")) {
            throw new IllegalArgumentException("date must be one non-blank line, e.g. '28 Nov 2026'; it is '" + date + "'");
        }
        return new ChatTemplate(format, tokenizer, thinking, date);
    }

    /** The format this template renders. */
    public ChatFormat format() {
        return format;
    }

    /**
     * The prompt for {@code messages} followed by the assistant's header, ready for generation.
     *
     * @throws IllegalArgumentException when {@code messages} is empty
     */
    public ChatPrompt render(List<ChatMessage> messages) {
        return render(messages, true);
    }

    /**
     * The prompt for {@code messages}; with {@code generationPrompt} the assistant's header follows,
     * as {@code add_generation_prompt=true} does.
     *
     * @throws IllegalArgumentException when {@code messages} is empty
     */
    public ChatPrompt render(List<ChatMessage> messages, boolean generationPrompt) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat prompt needs at least one message");
        }
        PromptBuilder out = new PromptBuilder(tokenizer);
        switch (format) {
            case CHATML -> ChatMlRenderer.render(messages, null, generationPrompt, out);
            case QWEN2 -> ChatMlRenderer.render(messages, "You are a helpful assistant.", generationPrompt, out);
            case QWEN2_5 -> ChatMlRenderer.render(messages,
                    "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.", generationPrompt, out);
            case QWEN3 -> ChatMlRenderer.renderQwen3(messages, thinking, generationPrompt, out);
            case LLAMA_3 -> Llama3Renderer.render(messages, generationPrompt, out);
            case LLAMA_3_1 -> Llama3Renderer.render31(messages, date, generationPrompt, out);
        }
        return out.build();
    }

    /**
     * The ids that end the model's answer: the format's stop tokens that the vocabulary has (Qwen:
     * {@code <|im_end|>}, {@code <|endoftext|>}; Llama 3: {@code <|eot_id|>}, {@code <|end_of_text|>},
     * {@code <|eom_id|>}) and those the tokenizer's config files declare.
     */
    public Set<Integer> stopTokenIds() {
        Set<Integer> ids = new LinkedHashSet<>();
        for (String token : format.stopTokens()) {
            tokenizer.addedTokens().id(token).ifPresent(ids::add);
        }
        ids.addAll(tokenizer.declaredStopTokenIds());
        return Set.copyOf(ids);
    }
}
