package dev.patchwright.inference.engine.cuda;

import dev.patchwright.inference.engine.ModelConfig;
import dev.patchwright.inference.engine.RopeScaling;
import dev.patchwright.inference.engine.WeightMatrix;
import dev.patchwright.inference.engine.Weights;
import dev.patchwright.inference.engine.safetensors.DType;

import java.util.ArrayList;
import java.util.List;

/**
 * A model's weights in device memory: matrices as bf16 (F32 and F16 checkpoints are rounded to
 * bf16 on upload), norms and biases as floats, RoPE's inverse frequencies as doubles. Fields are
 * named and shaped as in {@link Weights}.
 */
public final class DeviceModel implements AutoCloseable {

    final ModelConfig c;
    final DeviceBuffer embed; // (vocab, dim) bf16
    final DeviceBuffer[] attnNorm; // (layer) (dim)
    final DeviceBuffer[] wq; // (layer) (heads * head_dim, dim)
    final DeviceBuffer[] wk; // (layer) (kv_heads * head_dim, dim)
    final DeviceBuffer[] wv; // (layer) (kv_heads * head_dim, dim)
    final DeviceBuffer[] wo; // (layer) (dim, heads * head_dim)
    final DeviceBuffer[] bq; // (layer) (heads * head_dim) or null
    final DeviceBuffer[] bk;
    final DeviceBuffer[] bv;
    final DeviceBuffer[] qNorm; // (layer) (head_dim) or null
    final DeviceBuffer[] kNorm;
    final DeviceBuffer[] ffnNorm; // (layer) (dim)
    final DeviceBuffer[] w1; // (layer) (hidden, dim)
    final DeviceBuffer[] w2; // (layer) (dim, hidden)
    final DeviceBuffer[] w3; // (layer) (hidden, dim)
    final DeviceBuffer finalNorm; // (dim)
    final DeviceBuffer output; // (vocab, dim); the embedding buffer when tied
    final DeviceBuffer inverseFrequencies; // (head_dim / 2) doubles
    private final List<DeviceBuffer> owned = new ArrayList<>();

    private interface Matrix {
        DeviceBuffer make(String name, WeightMatrix host, int rows, int cols);
    }

    private interface Vector {
        DeviceBuffer make(String name, float[] host, int length);
    }

    private DeviceModel(ModelConfig c, Weights w, Matrix m, Vector v, CudaDevice device) {
        this.c = c;
        int n = c.layers();
        embed = m.make("embed", w == null ? null : w.embed, c.vocabSize(), c.dim());
        attnNorm = new DeviceBuffer[n];
        wq = new DeviceBuffer[n];
        wk = new DeviceBuffer[n];
        wv = new DeviceBuffer[n];
        wo = new DeviceBuffer[n];
        bq = c.attentionBias() ? new DeviceBuffer[n] : null;
        bk = c.attentionBias() ? new DeviceBuffer[n] : null;
        bv = c.attentionBias() ? new DeviceBuffer[n] : null;
        qNorm = c.qkNorm() ? new DeviceBuffer[n] : null;
        kNorm = c.qkNorm() ? new DeviceBuffer[n] : null;
        ffnNorm = new DeviceBuffer[n];
        w1 = new DeviceBuffer[n];
        w2 = new DeviceBuffer[n];
        w3 = new DeviceBuffer[n];
        for (int l = 0; l < n; l++) {
            attnNorm[l] = v.make("attn_norm", w == null ? null : w.attnNorm[l], c.dim());
            wq[l] = m.make("wq", w == null ? null : w.wq[l], c.qDim(), c.dim());
            wk[l] = m.make("wk", w == null ? null : w.wk[l], c.kvDim(), c.dim());
            wv[l] = m.make("wv", w == null ? null : w.wv[l], c.kvDim(), c.dim());
            wo[l] = m.make("wo", w == null ? null : w.wo[l], c.dim(), c.qDim());
            if (bq != null) {
                bq[l] = v.make("bq", w == null ? null : w.bq[l], c.qDim());
                bk[l] = v.make("bk", w == null ? null : w.bk[l], c.kvDim());
                bv[l] = v.make("bv", w == null ? null : w.bv[l], c.kvDim());
            }
            if (qNorm != null) {
                qNorm[l] = v.make("q_norm", w == null ? null : w.qNorm[l], c.headDim());
                kNorm[l] = v.make("k_norm", w == null ? null : w.kNorm[l], c.headDim());
            }
            ffnNorm[l] = v.make("ffn_norm", w == null ? null : w.ffnNorm[l], c.dim());
            w1[l] = m.make("w1", w == null ? null : w.w1[l], c.hiddenDim(), c.dim());
            w2[l] = m.make("w2", w == null ? null : w.w2[l], c.dim(), c.hiddenDim());
            w3[l] = m.make("w3", w == null ? null : w.w3[l], c.hiddenDim(), c.dim());
        }
        finalNorm = v.make("final_norm", w == null ? null : w.finalNorm, c.dim());
        output = c.tiedEmbeddings() ? embed : m.make("output", w == null ? null : w.output, c.vocabSize(), c.dim());
        double[] frequencies = RopeScaling.inverseFrequencies(c.headDim(), c.ropeTheta(), c.ropeScaling());
        inverseFrequencies = keep(device.allocate((long) frequencies.length * Double.BYTES).put(frequencies));
    }

    /** Uploads a loaded model's weights. */
    public static DeviceModel upload(ModelConfig c, Weights w, CudaDevice device) {
        List<DeviceBuffer> made = new ArrayList<>();
        Matrix m = (name, host, rows, cols) -> {
            DeviceBuffer b = device.allocate((long) rows * cols * 2);
            made.add(b);
            uploadMatrix(host, b);
            return b;
        };
        Vector v = (name, host, length) -> {
            DeviceBuffer b = device.allocate((long) length * Float.BYTES).put(host);
            made.add(b);
            return b;
        };
        DeviceModel model = new DeviceModel(c, w, m, v, device);
        model.owned.addAll(made);
        return model;
    }

    /**
     * Random weights of a configuration's shape, made on the device (no checkpoint needed):
     * matrices uniform in ±1/sqrt(cols), norms near one, biases small. For benchmarks.
     */
    public static DeviceModel random(ModelConfig c, CudaOps ops, long seed) {
        CudaDevice device = ops.device();
        List<DeviceBuffer> made = new ArrayList<>();
        long[] next = {seed};
        Matrix m = (name, host, rows, cols) -> {
            DeviceBuffer b = device.allocate((long) rows * cols * 2);
            made.add(b);
            ops.randomBf16(b, (long) rows * cols, next[0]++, (float) (1.0 / Math.sqrt(cols)));
            return b;
        };
        Vector v = (name, host, length) -> {
            DeviceBuffer b = device.allocate((long) length * Float.BYTES);
            made.add(b);
            boolean norm = name.contains("norm");
            ops.randomF32(b, length, next[0]++, norm ? 0.1f : 0.02f, norm ? 1f : 0f);
            return b;
        };
        DeviceModel model = new DeviceModel(c, null, m, v, device);
        model.owned.addAll(made);
        device.synchronize();
        return model;
    }

    /** Bytes of bf16 matrices one decode step reads: every projection and the output head. */
    public long matrixBytesPerToken() {
        long perLayer = 2L * c.dim() * (c.qDim() + 2L * c.kvDim()) + 2L * c.qDim() * c.dim() + 3L * 2 * c.dim() * c.hiddenDim();
        return perLayer * c.layers() + 2L * c.vocabSize() * c.dim();
    }

    /** Copies a matrix's rows, as bf16 bits, in chunks of about 64 MiB. */
    private static void uploadMatrix(WeightMatrix host, DeviceBuffer target) {
        int cols = host.cols();
        int rowsPerChunk = Math.max(1, (32 << 20) / cols);
        short[] bits = new short[cols];
        float[] floats = new float[cols];
        for (int r0 = 0; r0 < host.rows(); r0 += rowsPerChunk) {
            int rows = Math.min(rowsPerChunk, host.rows() - r0);
            short[] chunk = new short[rows * cols];
            for (int r = 0; r < rows; r++) {
                if (host.dtype() == DType.BF16) {
                    host.readBits(r0 + r, bits);
                    System.arraycopy(bits, 0, chunk, r * cols, cols);
                } else {
                    host.readRow(r0 + r, floats, 0, bits);
                    for (int i = 0; i < cols; i++) {
                        chunk[r * cols + i] = bf16(floats[i]);
                    }
                }
            }
            target.view((long) r0 * cols * 2, (long) rows * cols * 2).put(chunk);
        }
    }

    /** float to bf16 bits, rounding to nearest even, as the device's {@code bf16_rn}. */
    public static short bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    private DeviceBuffer keep(DeviceBuffer b) {
        owned.add(b);
        return b;
    }

    @Override
    public void close() {
        for (DeviceBuffer b : owned) {
            b.close();
        }
        owned.clear();
    }
}
