package dev.patchwright.inference.money;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwright.inference.model.Usage;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PriceTest {

    @Test
    void costsTokensAtTheirPricesRoundingUp() {
        Price price = new Price(Money.parse("2"), Money.parse("0.5"), Money.parse("8"), Money.ZERO);

        // 1000 uncached at $2/M = $0.002, 500 cached at $0.5/M = $0.00025, 250 out at $8/M = $0.002
        assertThat(price.cost(new Usage(1500, 500, 250))).isEqualTo(Money.parse("0.00425"));
        // one input token at $2/M is $0.000002 exactly; one at $0.5/M is half a micro-dollar, rounded up to one
        assertThat(price.cost(new Usage(1, 0, 0)).micros()).isEqualTo(2);
        assertThat(price.cost(new Usage(1, 1, 0)).micros()).isEqualTo(1);
        assertThat(price.cost(Usage.ZERO)).isEqualTo(Money.ZERO);
    }

    @Test
    void costsGpuTimeByTheHour() {
        Price local = Price.parse("gpu-hour=3.60");

        assertThat(local.cost(Duration.ofSeconds(1))).isEqualTo(Money.parse("0.001"));
        assertThat(local.cost(Duration.ofNanos(1)).micros()).as("a nanosecond still costs a micro-dollar").isEqualTo(1);
        assertThat(local.cost(new Usage(1_000_000, 0, 1_000_000))).isEqualTo(Money.ZERO);
    }

    @Test
    void parsesACommandLinePrice() {
        Price price = Price.parse("input=0.5, output=1.5");

        assertThat(price.inputPerMillion()).isEqualTo(Money.parse("0.5"));
        assertThat(price.cachedInputPerMillion()).as("cached input defaults to input").isEqualTo(Money.parse("0.5"));
        assertThat(price.outputPerMillion()).isEqualTo(Money.parse("1.5"));
        assertThat(price).hasToString("input $0.50/M, cached $0.50/M, output $1.50/M");
        assertThat(Price.parse("input=1,cached-input=0.1,output=2").cachedInputPerMillion()).isEqualTo(Money.parse("0.1"));
    }

    @Test
    void refusesAMalformedPrice() {
        assertThatThrownBy(() -> Price.parse("inptu=0.5")).hasMessageContaining("unknown key 'inptu'");
        assertThatThrownBy(() -> Price.parse("input")).hasMessageContaining("not key=dollars");
        assertThatThrownBy(() -> Price.parse("input=cheap")).hasMessageContaining("key 'input'").hasMessageContaining("'cheap'");
        assertThatThrownBy(() -> Price.parse("input=1,input=2")).hasMessageContaining("'input' is given twice");
        assertThatThrownBy(() -> Price.parse("cached-input=1")).hasMessageContaining("none of input, output, gpu-hour");
    }
}
