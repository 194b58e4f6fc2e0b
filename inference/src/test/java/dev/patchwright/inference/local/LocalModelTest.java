package dev.patchwright.inference.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwright.inference.model.ChatMessage;
import dev.patchwright.inference.model.ChatRequest;
import dev.patchwright.inference.model.Completion;
import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.tokenizer.chat.ChatTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalModelTest {

    private static final List<ChatMessage> HELLO = List.of(ChatMessage.system("You fix bugs."), ChatMessage.user("Fix it"));

    @TempDir
    Path dir;

    private Path folder;
    private LocalModel model;

    @BeforeEach
    void open() throws Exception {
        folder = RandomModel.tiny(3).write(dir.resolve("tiny-random"));
        model = LocalModel.open(folder);
    }

    @AfterEach
    void close() {
        model.close();
    }

    @Test
    void samplesNChoicesOfTextAndCountsTheTokens() throws Exception {
        Completion completion = model.complete(new ChatRequest(HELLO, 12, 1.0, 3, 5L));

        assertThat(completion.model()).isEqualTo("tiny-random");
        assertThat(completion.choices()).hasSize(3).allSatisfy(text -> assertThat(text).isNotEmpty());
        assertThat(completion.choices()).doesNotHaveDuplicates();
        int promptTokens = ChatTemplate.forTokenizer(model.tokenizer()).render(HELLO).ids().length;
        assertThat(completion.usage().promptTokens()).isEqualTo(promptTokens);
        assertThat(completion.usage().completionTokens()).isBetween(3L, 36L);
        assertThat(completion.compute()).isPositive();
    }

    @Test
    void theSameSeedGivesTheSameTextAndSampleIUsesSeedPlusI() throws Exception {
        Completion three = model.complete(new ChatRequest(HELLO, 10, 1.0, 3, 9L));
        Completion again = model.complete(new ChatRequest(HELLO, 10, 1.0, 3, 9L));
        Completion third = model.complete(new ChatRequest(HELLO, 10, 1.0, 1, 11L));

        assertThat(again.choices()).isEqualTo(three.choices());
        assertThat(third.choices().get(0)).isEqualTo(three.choices().get(2));
    }

    @Test
    void cutsTheTextBeforeTheFirstStopString() throws Exception {
        String whole = model.complete(new ChatRequest(HELLO, 24, 0, 1, null)).choices().get(0);
        assertThat(whole.length()).isGreaterThan(8);
        String stop = whole.substring(5, 7);

        LocalCompletion cut = model.generate(new ChatRequest(HELLO, 24, 0, 1, null, 1.0, List.of("\u0000never", stop)),
                TextListener.NONE);

        assertThat(cut.choices().get(0).text()).isEqualTo(whole.substring(0, whole.indexOf(stop)));
        assertThat(cut.choices().get(0).finish()).isEqualTo(LocalCompletion.FinishReason.STOP);
        assertThat(cut.usage().completionTokens()).isLessThan(24);
    }

    @Test
    void streamedPiecesAddUpToTheTextOfEachSample() throws Exception {
        List<StringBuilder> streamed = List.of(new StringBuilder(), new StringBuilder());
        LocalCompletion done = model.generate(new ChatRequest(HELLO, 16, 0.8, 2, 1L),
                (sample, text) -> streamed.get(sample).append(text));

        assertThat(streamed.get(0).toString()).isEqualTo(done.choices().get(0).text());
        assertThat(streamed.get(1).toString()).isEqualTo(done.choices().get(1).text());
        assertThat(done.choices()).allSatisfy(c -> assertThat(c.finish()).isNotNull());
    }

    @Test
    void aRepeatedPromptIsServedFromThePrefixCache() throws Exception {
        ChatRequest request = new ChatRequest(HELLO, 6, 0, 1, null);
        Completion first = model.complete(request);
        Completion second = model.complete(request);

        assertThat(first.usage().cachedPromptTokens()).isZero();
        assertThat(second.usage().cachedPromptTokens()).isEqualTo(second.usage().promptTokens());
        assertThat(second.choices()).isEqualTo(first.choices());
    }

    @Test
    void aSharedLongPrefixIsReusedByWholeBlocksAndGivesTheSameAnswer() throws Exception {
        String repository = "class Calc { int add(int a, int b) { return a - b; } }\n".repeat(8);
        List<ChatMessage> round1 = List.of(ChatMessage.system(repository), ChatMessage.user("Fix add"));
        List<ChatMessage> round2 = List.of(ChatMessage.system(repository), ChatMessage.user("Fix add, and test it"));
        ChatTemplate template = ChatTemplate.forTokenizer(model.tokenizer());
        int[] a = template.render(round1).ids();
        int[] b = template.render(round2).ids();
        int shared = 0;
        while (a[shared] == b[shared]) {
            shared++;
        }

        model.complete(new ChatRequest(round1, 4, 0, 1, null));
        Completion reused = model.complete(new ChatRequest(round2, 8, 0, 2, 4L));

        int blocks = shared / LocalModel.PREFIX_BLOCK_TOKENS;
        assertThat(blocks).isGreaterThanOrEqualTo(2);
        assertThat(reused.usage().cachedPromptTokens()).isEqualTo((long) blocks * LocalModel.PREFIX_BLOCK_TOKENS);
        try (LocalModel uncached = LocalModel.open(folder, "uncached", 0)) {
            Completion fresh = uncached.complete(new ChatRequest(round2, 8, 0, 2, 4L));
            assertThat(fresh.usage().cachedPromptTokens()).isZero();
            assertThat(reused.choices()).isEqualTo(fresh.choices());
        }
    }

    @Test
    void theLeastRecentlyUsedPromptLeavesACacheThatIsFull() throws Exception {
        ChatRequest first = new ChatRequest(List.of(ChatMessage.user("first prompt")), 4, 0, 1, null);
        ChatRequest second = new ChatRequest(List.of(ChatMessage.system("other"), ChatMessage.user("second")), 4, 0, 1, null);
        try (LocalModel small = LocalModel.open(folder, "small", 20_000)) {
            small.complete(first);
            assertThat(small.complete(first).usage().cachedPromptTokens()).as("one prompt fits").isPositive();
            small.complete(second);

            assertThat(small.complete(first).usage().cachedPromptTokens()).as("evicted by the second").isZero();
            assertThat(small.complete(first).usage().cachedPromptTokens()).as("cached again").isPositive();
        }
    }

    @Test
    void refusesAPromptThatFillsTheContext() {
        List<ChatMessage> huge = List.of(ChatMessage.user("x".repeat(RandomModel.CONTEXT + 100)));

        assertThatThrownBy(() -> model.complete(new ChatRequest(huge, 4, 0, 1, null)))
                .isInstanceOf(PromptTooLongException.class)
                .hasMessageContaining("context of " + RandomModel.CONTEXT + " tokens");
    }

    @Test
    void opensLocalSpecsAndNamesWhatIsWrongWithABadFolder() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.copy(folder.resolve("config.json"), empty.resolve("config.json"));
        Files.copy(folder.resolve("tokenizer.json"), empty.resolve("tokenizer.json"));

        assertThatThrownBy(() -> Models.open("local:" + empty, null, null, null))
                .isInstanceOf(InferenceException.class).hasMessageContaining("safetensors");
        assertThatThrownBy(() -> Models.open("local:" + dir.resolve("missing"), null, null, null))
                .isInstanceOf(InferenceException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> Models.open("local:", null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names no folder");
        assertThat(Models.isLocal("local:/m")).isTrue();
        assertThat(Models.isLocal("http://127.0.0.1:8000/v1")).isFalse();
    }
}
