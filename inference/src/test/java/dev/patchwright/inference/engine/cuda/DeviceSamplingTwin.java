package dev.patchwright.inference.engine.cuda;

import dev.patchwright.inference.engine.Sampler;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Java twin of {@code sample_top_p_f32}, in double: the nucleus is every token whose weight is
 * at least the threshold at which the most likely tokens first hold top_p of the mass; the token
 * drawn is the one at u times the kept mass, walking the nucleus in token order. The device sums
 * in float and another order, so the check allows 0.1% of the mass either way.
 */
final class DeviceSamplingTwin {

    private DeviceSamplingTwin() {
    }

    static void assertPlausible(float[] logits, float temperature, float topP, float u, int token) {
        int best = Sampler.argmax(logits);
        if (temperature == 0) {
            assertThat(token).as("greedy").isEqualTo(best);
            return;
        }
        int n = logits.length;
        double[] w = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            w[i] = Math.exp((logits[i] - logits[best]) / (double) temperature);
            total += w[i];
        }
        double tau = 0;
        if (topP < 1) {
            double[] sorted = w.clone();
            Arrays.sort(sorted);
            double kept = 0;
            for (int i = n - 1; i >= 0; i--) {
                kept += sorted[i];
                if (kept >= topP * total) {
                    tau = sorted[i];
                    break;
                }
            }
        }
        double kept = 0;
        for (double x : w) {
            kept += x >= tau ? x : 0;
        }
        assertThat(token).as("a token id").isBetween(0, n - 1);
        assertThat(w[token]).as("token %d is in the nucleus (weight %s, threshold %s)", token, w[token], tau)
                .isGreaterThanOrEqualTo(tau * (1 - 1e-3));
        double before = 0;
        for (int i = 0; i < token; i++) {
            before += w[i] >= tau ? w[i] : 0;
        }
        double target = u * kept;
        double slack = 1e-3 * kept;
        assertThat(before).as("mass before token %d vs the target %s", token, target).isLessThanOrEqualTo(target + slack);
        assertThat(before + w[token]).as("mass through token %d vs the target %s", token, target).isGreaterThanOrEqualTo(target - slack);
    }
}
