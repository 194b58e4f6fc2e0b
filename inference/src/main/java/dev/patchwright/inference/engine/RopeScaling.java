package dev.patchwright.inference.engine;

/**
 * Llama 3.1's RoPE frequency scaling ({@code rope_scaling.rope_type = "llama3"}): wavelengths
 * longer than {@code originalMaxPositions / lowFreqFactor} are divided by {@code factor}, those
 * shorter than {@code originalMaxPositions / highFreqFactor} are kept, and those in between are
 * interpolated smoothly.
 */
public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {

    public RopeScaling {
        if (!(factor > 0) || !(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor) || originalMaxPositions <= 0) {
            throw new IllegalArgumentException("llama3 rope_scaling needs factor > 0, 0 < low_freq_factor < high_freq_factor"
                    + " and original_max_position_embeddings > 0; found " + this);
        }
    }

    /**
     * The inverse frequencies (radians per position) of each rotated pair, HF's {@code inv_freq}.
     *
     * @param headDim dimensions per head (even); the result has {@code headDim / 2} entries
     * @param theta the RoPE base, {@code rope_theta}
     * @param scaling llama3 scaling, or {@code null} for none
     */
    public static double[] inverseFrequencies(int headDim, double theta, RopeScaling scaling) {
        double[] inv = new double[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
            if (scaling != null) {
                inv[i] = scaling.scale(inv[i]);
            }
        }
        return inv;
    }

    private double scale(double inverseFrequency) {
        double wavelength = 2 * Math.PI / inverseFrequency;
        double lowFreqWavelength = originalMaxPositions / lowFreqFactor;
        double highFreqWavelength = originalMaxPositions / highFreqFactor;
        if (wavelength < highFreqWavelength) {
            return inverseFrequency;
        }
        if (wavelength > lowFreqWavelength) {
            return inverseFrequency / factor;
        }
        double smooth = (originalMaxPositions / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        return (1 - smooth) * inverseFrequency / factor + smooth * inverseFrequency;
    }
}
