package dev.patchwright.inference.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatRequestTest {

    private static final List<ChatMessage> HELLO = List.of(ChatMessage.system("be brief"), ChatMessage.user("hi"));

    @Test
    void factoriesSetTheRoleAndItsWireName() {
        assertThat(ChatMessage.system("s").role()).isEqualTo(ChatMessage.Role.SYSTEM);
        assertThat(ChatMessage.user("u").role().wireName()).isEqualTo("user");
        assertThat(ChatMessage.assistant("a").role().wireName()).isEqualTo("assistant");
        assertThat(ChatMessage.Role.SYSTEM.wireName()).isEqualTo("system");
    }

    @Test
    void keepsItsOwnCopyOfTheMessages() {
        List<ChatMessage> messages = new ArrayList<>(HELLO);
        ChatRequest request = new ChatRequest(messages, 10, 0.7, 2, 42L);

        messages.clear();

        assertThat(request.messages()).containsExactlyElementsOf(HELLO);
        assertThat(request.seed()).isEqualTo(42L);
    }

    @Test
    void rejectsOutOfRangeFieldsByName() {
        assertThatThrownBy(() -> new ChatRequest(List.of(), 10, 0.0, 1, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("messages");
        assertThatThrownBy(() -> new ChatRequest(null, 10, 0.0, 1, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("messages");
        assertThatThrownBy(() -> new ChatRequest(HELLO, 0, 0.0, 1, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTokens");
        assertThatThrownBy(() -> new ChatRequest(HELLO, 10, 2.01, 1, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new ChatRequest(HELLO, 10, -0.1, 1, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new ChatRequest(HELLO, 10, Double.NaN, 1, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature");
        assertThatThrownBy(() -> new ChatRequest(HELLO, 10, 1.0, 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n must");
        assertThatThrownBy(() -> new ChatRequest(HELLO, 10, 1.0, 1, null, 0.0, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topP");
        assertThatThrownBy(() -> new ChatRequest(HELLO, 10, 1.0, 1, null, 1.5, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topP");
        assertThatThrownBy(() -> new ChatRequest(HELLO, 10, 1.0, 1, null, 1.0, List.of("a", "b", "c", "d", "e")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 4");
        assertThatThrownBy(() -> new ChatRequest(HELLO, 10, 1.0, 1, null, 1.0, List.of("a", "")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stop[1]");
    }

    @Test
    void theShortFormSamplesTheWholeDistributionWithoutStopStrings() {
        ChatRequest request = new ChatRequest(HELLO, 10, 0.7, 1, null);

        assertThat(request.topP()).isEqualTo(1.0);
        assertThat(request.stop()).isEmpty();
    }

    @Test
    void acceptsTheEdgesOfEachRange() {
        assertThat(new ChatRequest(HELLO, 1, 0.0, 1, null).temperature()).isZero();
        assertThat(new ChatRequest(HELLO, 1, 2.0, 1, null).temperature()).isEqualTo(2.0);
    }

    @Test
    void messagesDoNotPrintTheirContent() {
        assertThat(ChatMessage.user("the whole repository").toString()).doesNotContain("repository");
    }
}
