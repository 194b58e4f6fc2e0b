package dev.patchwright.inference.tokenizer.chat;

import dev.patchwright.inference.model.ChatMessage;
import dev.patchwright.inference.model.ChatMessage.Role;

import java.util.List;

/**
 * The Llama 3 header format as Meta's published Jinja templates render plain system, user and
 * assistant messages (no tools): {@code <|begin_of_text|>}, then per message
 * {@code <|start_header_id|>role<|end_header_id|>\n\n} + the content trimmed of whitespace at both
 * ends (Jinja's {@code trim}) + {@code <|eot_id|>}, then
 * {@code <|start_header_id|>assistant<|end_header_id|>\n\n} to prompt an answer.
 */
final class Llama3Renderer {

    static final String BEGIN_OF_TEXT = "<|begin_of_text|>";
    static final String START_HEADER = "<|start_header_id|>";
    static final String END_HEADER = "<|end_header_id|>";
    static final String EOT = "<|eot_id|>";

    private Llama3Renderer() {
    }

    /** Meta-Llama-3-8B-Instruct / 70B-Instruct: the messages as they are. */
    static void render(List<ChatMessage> messages, boolean generationPrompt, PromptBuilder out) {
        out.token(BEGIN_OF_TEXT);
        for (ChatMessage message : messages) {
            turn(out, message.role().wireName(), trim(message.content()));
        }
        if (generationPrompt) {
            header(out, "assistant");
        }
    }

    /**
     * Llama 3.1, 3.2 and 3.3 Instruct: a system turn always comes first, opening with the knowledge
     * cutoff and {@code Today Date: <date>} and then the first message if it is a system message.
     */
    static void render31(List<ChatMessage> messages, String date, boolean generationPrompt, PromptBuilder out) {
        out.token(BEGIN_OF_TEXT);
        boolean system = messages.get(0).role() == Role.SYSTEM;
        turn(out, "system", "Cutting Knowledge Date: December 2023\nToday Date: " + date + "\n\n"
                + (system ? trim(messages.get(0).content()) : ""));
        for (ChatMessage message : messages.subList(system ? 1 : 0, messages.size())) {
            turn(out, message.role().wireName(), trim(message.content()));
        }
        if (generationPrompt) {
            header(out, "assistant");
        }
    }

    private static void turn(PromptBuilder out, String role, String content) {
        header(out, role);
        out.text(content).token(EOT);
    }

    private static void header(PromptBuilder out, String role) {
        out.token(START_HEADER).text(role).token(END_HEADER).text("\n\n");
    }

    /** Jinja's {@code trim}, which is Python's {@code str.strip()}: its whitespace, not Java's. */
    static String trim(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && isPythonSpace(s.charAt(from))) {
            from++;
        }
        while (to > from && isPythonSpace(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }

    /** Python's {@code str.isspace()} for one char: Unicode Zs, bidi classes WS, B and S. */
    static boolean isPythonSpace(char c) {
        return c >= '\t' && c <= '\r' || c >= '\u001c' && c <= ' ' || c == '\u0085' || c == '\u00a0'
                || c == '\u1680' || c >= '\u2000' && c <= '\u200a' || c == '\u2028' || c == '\u2029'
                || c == '\u202f' || c == '\u205f' || c == '\u3000';
    }
}
