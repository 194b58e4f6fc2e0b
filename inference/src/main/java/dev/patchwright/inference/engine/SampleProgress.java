package dev.patchwright.inference.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The samples of one generation as their tokens arrive, on any engine: each sample's tokens so
 * far, and whether it goes on. A sample ends at a stop token (kept out of its tokens), after
 * {@code maxTokens}, or when the listener wants no more.
 */
public final class SampleProgress {

    private final GenerationSettings settings;
    private final TokenListener listener;
    private final int[][] outputs; // (samples, max tokens)
    private final int[] lengths;
    private final int[] stops;
    private final boolean[] live;
    private int generated;

    public SampleProgress(int samples, GenerationSettings settings, TokenListener listener) {
        this.settings = settings;
        this.listener = listener;
        this.outputs = new int[samples][settings.maxTokens()];
        this.lengths = new int[samples];
        this.stops = new int[samples];
        this.live = new boolean[samples];
        Arrays.fill(stops, -1);
        Arrays.fill(live, true);
    }

    /** Whether sample {@code i} still wants tokens. */
    public boolean live(int i) {
        return live[i];
    }

    /**
     * Takes sample {@code i}'s next token, tells the listener, and says whether the sample goes on
     * (so needs a forward step with this token).
     */
    public boolean accept(int i, int token) {
        generated++;
        if (settings.stopTokens().contains(token)) {
            stops[i] = token;
            live[i] = false;
            return false;
        }
        outputs[i][lengths[i]++] = token;
        listener.onToken(i, token);
        if (lengths[i] == settings.maxTokens() || !listener.wantsMore(i)) {
            live[i] = false;
        }
        return live[i];
    }

    /** Sample {@code i}'s latest token. */
    public int last(int i) {
        return outputs[i][lengths[i] - 1];
    }

    /** Tokens drawn so far, stop tokens included. */
    public int generated() {
        return generated;
    }

    /** Every sample as it stands. */
    public List<Sample> samples() {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            samples.add(new Sample(i, Arrays.copyOf(outputs[i], lengths[i]), stops[i]));
        }
        return samples;
    }
}
