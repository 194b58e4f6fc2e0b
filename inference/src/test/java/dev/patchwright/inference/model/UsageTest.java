package dev.patchwright.inference.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UsageTest {

    @Test
    void addsEachCount() {
        Usage total = Usage.ZERO.plus(new Usage(1000, 800, 50)).plus(new Usage(1000, 1000, 70));

        assertThat(total).isEqualTo(new Usage(2000, 1800, 120));
        assertThat(total.uncachedPromptTokens()).isEqualTo(200);
    }

    @Test
    void rejectsImpossibleCounts() {
        assertThatThrownBy(() -> new Usage(-1, 0, 0)).hasMessageContaining("promptTokens");
        assertThatThrownBy(() -> new Usage(10, 11, 0)).hasMessageContaining("cachedPromptTokens");
        assertThatThrownBy(() -> new Usage(0, 0, -5)).hasMessageContaining("completionTokens");
    }

    @Test
    void overflowIsAnErrorNotANegativeBill() {
        assertThatThrownBy(() -> new Usage(Long.MAX_VALUE, 0, 0).plus(new Usage(1, 0, 0)))
                .isInstanceOf(ArithmeticException.class);
    }

    @Test
    void inferenceExceptionCarriesStatusAndRetryability() {
        InferenceException withStatus = new InferenceException("busy", true, 503, null);
        InferenceException without = new InferenceException("refused", true, null);

        assertThat(withStatus.status()).hasValue(503);
        assertThat(withStatus.retryable()).isTrue();
        assertThat(without.status()).isEmpty();
    }
}
