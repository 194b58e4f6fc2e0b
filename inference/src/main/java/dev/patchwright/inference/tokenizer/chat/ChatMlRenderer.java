package dev.patchwright.inference.tokenizer.chat;

import dev.patchwright.inference.model.ChatMessage;
import dev.patchwright.inference.model.ChatMessage.Role;

import java.util.List;

/**
 * ChatML as the Qwen families' published Jinja templates render plain system, user and assistant
 * messages (no tools): each message {@code <|im_start|>role\ncontent<|im_end|>\n}, then
 * {@code <|im_start|>assistant\n} to prompt an answer.
 */
final class ChatMlRenderer {

    static final String IM_START = "<|im_start|>";
    static final String IM_END = "<|im_end|>";
    static final String THINK = "<think>";
    static final String END_THINK = "</think>";

    private ChatMlRenderer() {
    }

    /**
     * Qwen2 and Qwen2.5 (and plain ChatML with a null {@code defaultSystem}): when the first message
     * is not a system message the template opens with a system turn of {@code defaultSystem}.
     */
    static void render(List<ChatMessage> messages, String defaultSystem, boolean generationPrompt, PromptBuilder out) {
        if (defaultSystem != null && messages.get(0).role() != Role.SYSTEM) {
            turn(out, "system", defaultSystem);
        }
        for (ChatMessage message : messages) {
            turn(out, message.role().wireName(), message.content());
        }
        if (generationPrompt) {
            out.token(IM_START).text("assistant\n");
        }
    }

    /**
     * Qwen3's template: an assistant message after the last user query (the turn being continued)
     * gets a {@code <think>} block, holding the reasoning it carried in {@code <think>…</think>}
     * (empty when none); earlier assistant messages lose their reasoning. With {@code thinking}
     * off, the generation prompt closes an empty think block, as {@code enable_thinking=false} does.
     */
    static void renderQwen3(List<ChatMessage> messages, boolean thinking, boolean generationPrompt, PromptBuilder out) {
        int lastQuery = messages.size() - 1;
        for (int i = messages.size() - 1; i >= 0; i--) {
            String content = messages.get(i).content();
            if (messages.get(i).role() == Role.USER
                    && !(content.startsWith("<tool_response>") && content.endsWith("</tool_response>"))) {
                lastQuery = i;
                break;
            }
        }
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            if (message.role() != Role.ASSISTANT) {
                turn(out, message.role().wireName(), message.content());
                continue;
            }
            String content = message.content();
            String reasoning = "";
            int close = content.indexOf(END_THINK);
            if (close >= 0) {
                String before = stripTrailingNewlines(content.substring(0, close));
                int open = before.lastIndexOf(THINK);
                reasoning = stripLeadingNewlines(open < 0 ? before : before.substring(open + THINK.length()));
                content = stripLeadingNewlines(content.substring(content.lastIndexOf(END_THINK) + END_THINK.length()));
            }
            out.token(IM_START).text("assistant\n");
            if (i > lastQuery && (i == messages.size() - 1 || !reasoning.isEmpty())) {
                out.token(THINK).text("\n" + stripTrailingNewlines(stripLeadingNewlines(reasoning)) + "\n")
                        .token(END_THINK).text("\n\n" + stripLeadingNewlines(content));
            } else {
                out.text(content);
            }
            out.token(IM_END).text("\n");
        }
        if (generationPrompt) {
            out.token(IM_START).text("assistant\n");
            if (!thinking) {
                out.token(THINK).text("\n\n").token(END_THINK).text("\n\n");
            }
        }
    }

    private static void turn(PromptBuilder out, String role, String content) {
        out.token(IM_START).text(role + "\n" + content).token(IM_END).text("\n");
    }

    /** Python's {@code s.lstrip('\n')}. */
    static String stripLeadingNewlines(String s) {
        int from = 0;
        while (from < s.length() && s.charAt(from) == '\n') {
            from++;
        }
        return s.substring(from);
    }

    /** Python's {@code s.rstrip('\n')}. */
    static String stripTrailingNewlines(String s) {
        int to = s.length();
        while (to > 0 && s.charAt(to - 1) == '\n') {
            to--;
        }
        return s.substring(0, to);
    }
}
