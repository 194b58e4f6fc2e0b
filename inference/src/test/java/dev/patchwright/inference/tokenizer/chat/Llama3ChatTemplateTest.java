package dev.patchwright.inference.tokenizer.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwright.inference.model.ChatMessage;
import dev.patchwright.inference.tokenizer.GenerationTokenizer;
import dev.patchwright.inference.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Llama 3 chat prompts over a small but real Llama-3-style {@code tokenizer.json} written here: byte
 * tokens at ids 0-255 (byte b is id b), a few merges, Llama 3's pre-tokenizer pattern, and Llama 3's
 * control tokens at their real ids. The expected strings are what Meta's published templates
 * (Meta-Llama-3-8B-Instruct, Llama-3.1-8B-Instruct) render with {@code add_generation_prompt=true}.
 */
class Llama3ChatTemplateTest {

    static final int BEGIN_OF_TEXT = 128000;
    static final int END_OF_TEXT = 128001;
    static final int START_HEADER = 128006;
    static final int END_HEADER = 128007;
    static final int EOM = 128008;
    static final int EOT = 128009;
    static final int HELLO = 259;
    static final int USER = 262;

    static final String LLAMA3_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    @TempDir
    Path folder;

    @Test
    void llama3PutsEachTrimmedMessageBetweenHeadersAndEndOfTurn() throws IOException {
        GenerationTokenizer llama = tokenizer(null);
        ChatTemplate template = ChatTemplate.of(ChatFormat.LLAMA_3, llama);
        ChatPrompt prompt = template.render(List.of(
                ChatMessage.system("You are a careful reviewer."),
                ChatMessage.user("Hello\n")));
        assertThat(prompt.text()).isEqualTo("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "You are a careful reviewer.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
                + "Hello<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
        assertThat(llama.encode("user")).containsExactly(USER);
        assertThat(llama.encode("\n\nHello")).containsExactly(10, 10, HELLO);
        assertThat(prompt.ids()).containsExactly(concat(
                ids(BEGIN_OF_TEXT, START_HEADER), bytes("system"), ids(END_HEADER),
                bytes("\n\nYou are a careful reviewer."), ids(EOT),
                ids(START_HEADER, USER, END_HEADER, 10, 10, HELLO, EOT),
                ids(START_HEADER), bytes("assistant"), ids(END_HEADER, 10, 10)));
        assertThat(prompt.ids()).containsExactly(llama.encodeWithSpecialTokens(prompt.text()));
        assertThat(template.stopTokenIds()).containsExactlyInAnyOrder(EOT, END_OF_TEXT, EOM);
    }

    @Test
    void jinjaTrimStripsPythonWhitespaceIncludingNoBreakSpace() throws IOException {
        ChatTemplate template = ChatTemplate.of(ChatFormat.LLAMA_3, tokenizer(null));
        assertThat(template.render(List.of(ChatMessage.user("\u00a0 héllo 🙂 \n\u3000")), false).text())
                .isEqualTo("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhéllo 🙂<|eot_id|>");
    }

    @Test
    void llama31OpensWithTheDatedSystemTurnEvenWithoutASystemMessage() throws IOException {
        GenerationTokenizer llama = tokenizer(null);
        ChatTemplate template = ChatTemplate.forTokenizer(llama);
        assertThat(template.format()).isEqualTo(ChatFormat.LLAMA_3_1);
        String header = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n";
        ChatPrompt prompt = template.render(List.of(ChatMessage.user("Hello")));
        assertThat(prompt.text()).isEqualTo(header + "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
                + "Hello<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
        assertThat(prompt.ids()).containsExactly(concat(
                ids(BEGIN_OF_TEXT, START_HEADER), bytes("system"), ids(END_HEADER),
                llama.encode("\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"), ids(EOT),
                ids(START_HEADER, USER, END_HEADER, 10, 10, HELLO, EOT),
                ids(START_HEADER), bytes("assistant"), ids(END_HEADER, 10, 10)));

        ChatPrompt withSystem = template.withDate("28 Nov 2026").render(List.of(
                ChatMessage.system("  Be brief. "), ChatMessage.user("2+2?"), ChatMessage.assistant("4"),
                ChatMessage.user(" and 3+3? ")));
        assertThat(withSystem.text()).isEqualTo("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "Cutting Knowledge Date: December 2023\nToday Date: 28 Nov 2026\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\n2+2?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n4<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nand 3+3?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
        assertThat(withSystem.ids()).containsExactly(llama.encodeWithSpecialTokens(withSystem.text()));
    }

    @Test
    void aChatTemplateInTheConfigDecidesTheFormat() throws IOException {
        GenerationTokenizer llama3 = tokenizer("{{ '<|start_header_id|>' + message['role'] }}");
        assertThat(ChatFormat.detect(llama3)).isEqualTo(ChatFormat.LLAMA_3);
        GenerationTokenizer llama31 = tokenizer("{{- 'Cutting Knowledge Date: December 2023' }}<|start_header_id|>");
        assertThat(ChatFormat.detect(llama31)).isEqualTo(ChatFormat.LLAMA_3_1);
    }

    @Test
    void aTokenizerWithoutChatTokensHasNoFormatAndSaysWhich() {
        GenerationTokenizer o200k = Tokenizers.loadForGeneration("o200k_base");
        assertThatThrownBy(() -> ChatTemplate.forTokenizer(o200k)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("o200k_base").hasMessageContaining("qwen3").hasMessageContaining("llama3.1");
        assertThatThrownBy(() -> ChatTemplate.of(ChatFormat.QWEN3, o200k))
                .hasMessageContaining("<|im_start|>").hasMessageContaining("o200k_base");
        assertThatThrownBy(() -> ChatFormat.named("mistral")).hasMessageContaining("mistral")
                .hasMessageContaining("chatml");
        assertThat(ChatFormat.named("Llama3.1")).isEqualTo(ChatFormat.LLAMA_3_1);
    }

    @Test
    void anEmptyConversationIsRefused() throws IOException {
        ChatTemplate template = ChatTemplate.of(ChatFormat.LLAMA_3, tokenizer(null));
        assertThatThrownBy(() -> template.render(List.of())).hasMessageContaining("at least one message");
    }

    /** The tiny Llama-3-style tokenizer in a fresh folder, with a tokenizer_config.json when a template is given. */
    GenerationTokenizer tokenizer(String chatTemplate) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < 256; b++) {
            vocab.put(byteChar(b), b);
        }
        ArrayNode merges = model.putArray("merges");
        String[][] pairs = {{"H", "e"}, {"l", "l"}, {"ll", "o"}, {"He", "llo"}, {"u", "s"}, {"us", "e"}, {"use", "r"}};
        for (int i = 0; i < pairs.length; i++) {
            merges.add(pairs[i][0] + " " + pairs[i][1]);
            vocab.put(pairs[i][0] + pairs[i][1], 256 + i);
        }
        ObjectNode split = json.createObjectNode().put("type", "Split").put("behavior", "Isolated").put("invert", false);
        split.putObject("pattern").put("Regex", LLAMA3_PATTERN);
        ObjectNode preTokenizer = root.putObject("pre_tokenizer").put("type", "Sequence");
        preTokenizer.putArray("pretokenizers").add(split).addObject()
                .put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", false);
        root.putObject("decoder").put("type", "ByteLevel");
        ArrayNode added = root.putArray("added_tokens");
        Map<Integer, String> controls = Map.of(BEGIN_OF_TEXT, "<|begin_of_text|>", END_OF_TEXT, "<|end_of_text|>",
                START_HEADER, "<|start_header_id|>", END_HEADER, "<|end_header_id|>", EOM, "<|eom_id|>",
                EOT, "<|eot_id|>");
        controls.forEach((id, text) -> added.addObject().put("id", id).put("content", text).put("special", true));
        Path dir = Files.createTempDirectory(folder, "llama");
        Path file = dir.resolve("tokenizer.json");
        json.writeValue(file.toFile(), root);
        if (chatTemplate != null) {
            json.writeValue(dir.resolve("tokenizer_config.json").toFile(), json.createObjectNode()
                    .put("chat_template", chatTemplate).put("eos_token", "<|eot_id|>"));
        }
        return Tokenizers.loadForGeneration("hf:" + file);
    }

    /** GPT-2's byte-level alphabet: printable Latin-1 bytes stand for themselves, the rest from U+0100 on. */
    static String byteChar(int b) {
        int shifted = 0;
        for (int k = 0; k < b; k++) {
            if (!printable(k)) {
                shifted++;
            }
        }
        return String.valueOf(printable(b) ? (char) b : (char) (256 + shifted));
    }

    static boolean printable(int b) {
        return b >= '!' && b <= '~' || b >= 0xa1 && b <= 0xac || b >= 0xae && b <= 0xff;
    }

    /** The ids of ASCII text that no merge of this vocabulary touches: one byte token per byte. */
    static int[] bytes(String text) {
        return text.chars().toArray();
    }

    static int[] ids(int... ids) {
        return ids;
    }

    static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }
}
