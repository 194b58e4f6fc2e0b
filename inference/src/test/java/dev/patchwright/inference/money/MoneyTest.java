package dev.patchwright.inference.money;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MoneyTest {

    @Test
    void parsesDollarsExactly() {
        assertThat(Money.parse("5").micros()).isEqualTo(5_000_000);
        assertThat(Money.parse("$5").micros()).isEqualTo(5_000_000);
        assertThat(Money.parse(" 0.25 ").micros()).isEqualTo(250_000);
        assertThat(Money.parse("$0.0123").micros()).isEqualTo(12_300);
        assertThat(Money.parse(".5").micros()).isEqualTo(500_000);
        assertThat(Money.parse("0.000001").micros()).isEqualTo(1);
    }

    @Test
    void sumsWithoutTheDriftOfDoubles() {
        Money total = Money.ZERO;
        for (int i = 0; i < 10; i++) {
            total = total.plus(Money.parse("0.1"));
        }
        assertThat(total).isEqualTo(Money.parse("1"));
        assertThat(Money.parse("1").minus(Money.parse("0.3"))).isEqualTo(Money.parse("0.7"));
        assertThat(Money.parse("0.7").times(3)).isEqualTo(Money.parse("2.1"));
        assertThat(Money.parse("2").exceeds(Money.parse("1.999999"))).isTrue();
        assertThat(Money.parse("2").compareTo(Money.parse("2.000000"))).isZero();
    }

    @Test
    void formatsWithAtLeastTwoDecimals() {
        assertThat(Money.parse("5")).hasToString("$5.00");
        assertThat(Money.parse("0.0123")).hasToString("$0.0123");
        assertThat(Money.parse("0.000001")).hasToString("$0.000001");
        assertThat(Money.parse("12.5")).hasToString("$12.50");
        assertThat(Money.ZERO.minus(Money.parse("0.5"))).hasToString("-$0.50");
    }

    @Test
    void refusesWhatIsNotAnAmount() {
        assertThatThrownBy(() -> Money.parse("five")).hasMessageContaining("'five'").hasMessageContaining("0.25");
        assertThatThrownBy(() -> Money.parse("-1")).hasMessageContaining("'-1'");
        assertThatThrownBy(() -> Money.parse("1e3")).hasMessageContaining("'1e3'");
        assertThatThrownBy(() -> Money.parse("0.0000001")).hasMessageContaining("micro-dollar");
        assertThatThrownBy(() -> Money.ofMicros(Long.MAX_VALUE).plus(Money.ofMicros(1)))
                .isInstanceOf(ArithmeticException.class);
    }
}
