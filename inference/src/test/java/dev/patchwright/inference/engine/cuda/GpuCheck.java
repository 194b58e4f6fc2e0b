package dev.patchwright.inference.engine.cuda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.inference.engine.Architecture;
import dev.patchwright.inference.engine.Engine;
import dev.patchwright.inference.engine.KvCache;
import dev.patchwright.inference.engine.ModelConfig;
import dev.patchwright.inference.engine.ModelFolder;
import dev.patchwright.inference.engine.RopeScaling;
import dev.patchwright.inference.engine.cpu.CpuKernels;
import dev.patchwright.inference.engine.paged.PagedSequence;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the GPU engine must show, measured in one run on a device machine (inference/gpu-check.sh
 * runs it): copy bandwidth; batch-1 decode of a Llama-3-8B-shaped model with random bf16 weights
 * made on the device, against its roofline; one decode step of 16 samples sharing a 32k-token
 * prompt against one sample; prompt processing of those 32k tokens against the bf16 matrix rate,
 * and a second request over them served from the prefix cache; decode steps with and without
 * CUDA graphs; the logits of a Hugging Face Qwen2ForCausalLM against transformers' own. Prints a table last.
 *
 * <p>Arguments: {@code --matmul-tflops X} (torch's measured bf16 rate), {@code --qwen2 DIR} (the
 * folder and reference logits written by qwen2_reference.py), {@code --context N} (default 32768),
 * {@code --layers N} (default 32; fewer for a quick run).
 */
public final class GpuCheck {

    private final Map<String, String> table = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private boolean printed;

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        GpuCheck check = new GpuCheck();
        Runtime.getRuntime().addShutdownHook(new Thread(check::printTable)); // timeout's SIGTERM still prints the rows measured
        check.run(options);
    }

    private void run(Map<String, String> options) throws Exception {
        double torchTflops = Double.parseDouble(options.getOrDefault("--matmul-tflops", "NaN"));
        int context = Integer.parseInt(options.getOrDefault("--context", "32768"));
        int layers = Integer.parseInt(options.getOrDefault("--layers", "32"));
        try (CudaDevice device = CudaDevice.open(0)) {
            CudaOps ops = new CudaOps(device);
            row("device", device.toString());
            double bandwidth = copyBandwidth(device);
            row("copy bandwidth (read + write)", String.format("%.0f GB/s", bandwidth / 1e9));
            double wmmaTflops = wmmaRate(device, ops);
            row("bf16 matmul 8192^3: torch / ours (wmma)", String.format("%.0f / %.0f TFLOP/s", torchTflops, wmmaTflops));
            smallBatch(device, ops, bandwidth);
            if (options.containsKey("--qwen2")) {
                try {
                    qwen2(device, ops, Path.of(options.get("--qwen2")));
                } catch (RuntimeException e) {
                    row("Qwen2 vs transformers", "FAILED: " + e);
                    e.printStackTrace();
                }
            }
            try {
                llama(device, ops, bandwidth, Double.isNaN(torchTflops) ? wmmaTflops : torchTflops, context, layers);
            } catch (RuntimeException e) {
                row("Llama-3-8B shape", "FAILED: " + e);
                e.printStackTrace();
            }
        }
        printTable();
    }

    /** The table, once: at the end, or when the step's time limit stops the run (the rows measured so far). */
    private synchronized void printTable() {
        if (printed) {
            return;
        }
        printed = true;
        System.out.println();
        System.out.println("| measure | value |");
        System.out.println("| --- | --- |");
        table.forEach((k, v) -> System.out.println("| " + k + " | " + v + " |"));
        System.out.flush();
    }

    private void row(String what, String value) {
        table.put(what, value);
        System.out.println(what + ": " + value);
        System.out.flush();
    }

    /** A 2 GiB device-to-device copy, median of 10, counting bytes read and written. */
    private static double copyBandwidth(CudaDevice device) {
        long bytes = 2L << 30;
        try (DeviceBuffer a = device.allocate(bytes).fill(0x3f800000); DeviceBuffer b = device.allocate(bytes)) {
            b.copyFrom(a, bytes);
            device.synchronize();
            double[] ms = new double[10];
            for (int i = 0; i < ms.length; i++) {
                ms[i] = device.time(() -> b.copyFrom(a, bytes));
            }
            return 2.0 * bytes / (median(ms) / 1e3);
        }
    }

    /** Our tensor-core kernel on an 8192^3 bf16 product of random data, median of 5. */
    private static double wmmaRate(CudaDevice device, CudaOps ops) {
        int n = 8192;
        try (DeviceBuffer w = device.allocate(2L * n * n); DeviceBuffer x = device.allocate(4L * n * n);
             DeviceBuffer out = device.allocate(4L * n * n)) {
            ops.randomBf16(w, (long) n * n, 1, 0.01f);
            ops.randomF32(x, (long) n * n, 2, 1f, 0f);
            ops.tensorCoreMatmul(w, x, out, n, n, n);
            device.synchronize();
            double[] ms = new double[5];
            for (int i = 0; i < ms.length; i++) {
                ms[i] = device.time(() -> ops.tensorCoreMatmul(w, x, out, n, n, n));
            }
            return 2.0 * n * n * n / (median(ms) / 1e3) / 1e12;
        }
    }

    /** Llama-3-8B's gate projection (14336 x 4096) at 1 and 16 tokens on each decode kernel, as weight bytes per second. */
    private void smallBatch(CudaDevice device, CudaOps ops, double bandwidth) {
        int rows = 14336, cols = 4096;
        int copies = 8; // rotate among 8 matrices (940 MB) so that L2 does not hold the weights
        DeviceBuffer[] w = new DeviceBuffer[copies];
        try (DeviceBuffer x = device.allocate(16L * cols * 4); DeviceBuffer out = device.allocate(16L * rows * 4)) {
            for (int i = 0; i < copies; i++) {
                w[i] = device.allocate(2L * rows * cols);
                ops.randomBf16(w[i], (long) rows * cols, 100 + i, 0.02f);
            }
            ops.randomF32(x, 16L * cols, 3, 1f, 0f);
            StringBuilder line = new StringBuilder();
            for (String kernel : new String[] {"cuda-core 1", "cuda-core 16", "mma 1", "mma 16"}) {
                int tokens = kernel.endsWith(" 16") ? 16 : 1;
                boolean mma = kernel.startsWith("mma");
                Runnable run = () -> {
                    for (DeviceBuffer m : w) {
                        if (mma) {
                            ops.smallBatchMatmul(m, x, out, tokens, rows, cols);
                        } else {
                            ops.cudaCoreMatmul(m, x, out, tokens, rows, cols);
                        }
                    }
                };
                run.run();
                device.synchronize();
                double[] ms = new double[5];
                for (int i = 0; i < ms.length; i++) {
                    ms[i] = device.time(run);
                }
                double gbps = 2.0 * rows * cols * copies / (median(ms) / 1e3) / 1e9;
                line.append(String.format("%s%s %.0f GB/s (%.0f%%)", line.length() == 0 ? "" : "; ", kernel, gbps, 100 * gbps * 1e9 / bandwidth));
            }
            row("decode product 14336x4096, weight bytes/s (share of copy bandwidth)", line.toString());
        } finally {
            for (DeviceBuffer b : w) {
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    private void llama(CudaDevice device, CudaOps ops, double bandwidth, double matmulTflops, int context, int layers) {
        ModelConfig c = new ModelConfig(Architecture.LLAMA, 4096, layers, 32, 8, 128, 14336, 128256, 1e-5f, 500000.0,
                new RopeScaling(8, 1, 4, 8192), false, false, 131072, List.of());
        int chunk = 2048;
        int blocks = (context + 64 * 32) / CudaEngine.BLOCK_POSITIONS + 64;
        try (DeviceModel model = DeviceModel.random(c, ops, 15);
             CudaEngine engine = new CudaEngine(ops, model, chunk, blocks)) {
            long weightBytes = model.matrixBytesPerToken();
            long kvBytesPerPosition = 2L * c.layers() * c.kvDim() * 2;
            String shape = "Llama-3-8B shape" + (layers == 32 ? "" : " (" + layers + " layers)");
            // batch 1 at a short context
            PagedSequence short1 = engine.sequence();
            engine.prefill(tokens(128, 0), short1);
            double shortMs = decodeSteps(engine, new PagedSequence[] {short1}, 20);
            double roofline = (weightBytes + kvBytesPerPosition * 160) / bandwidth * 1e3;
            row(shape + ": batch-1 decode at 128 tokens", String.format("%.2f ms/token = %.1f tokens/s; roofline %.2f ms (%.1f GB read): %.0f%%",
                    shortMs, 1e3 / shortMs, roofline, (weightBytes + kvBytesPerPosition * 160) / 1e9, 100 * roofline / shortMs));
            engine.useGraphs(true);
            double shortGraphMs = decodeSteps(engine, new PagedSequence[] {short1}, 20);
            engine.useGraphs(false);
            row(shape + ": the same with CUDA graphs", String.format("%.2f ms/token = %.1f tokens/s: %.0f%% of the roofline; %.2fx the step without (%d captures)",
                    shortGraphMs, 1e3 / shortGraphMs, 100 * roofline / shortGraphMs, shortGraphMs / shortMs, engine.graphCaptures()));
            short1.close();
            double productsMs = productsAlone(device, ops, model, c);
            row(shape + ": its products alone, 1 token, launched back to back", String.format(
                    "%.2f ms (%.0f%% of the roofline's weight time): the rest of a step is attention, small kernels and the host",
                    productsMs, 100 * (weightBytes / bandwidth * 1e3) / productsMs));
            // the long prompt, once
            int[] promptTokens = tokens(context, 0);
            long start = System.nanoTime();
            CudaEngine.Prefilled first = engine.prefillPrompt(promptTokens, chunk);
            double promptSeconds = (System.nanoTime() - start) / 1e9;
            PagedSequence prompt = first.sequence();
            double flops = 2.0 * weightBytes / 2 * context
                    + 4.0 * c.layers() * c.heads() * c.headDim() * ((double) context * context / 2);
            row(shape + ": prompt of " + context + " tokens", String.format("%.1f s = %.0f tokens/s; %.0f TFLOP/s = %.0f%% of the bf16 matmul rate",
                    promptSeconds, context / promptSeconds, flops / promptSeconds / 1e12, 100 * flops / promptSeconds / 1e12 / matmulTflops));
            // a second request over the same prompt: its full blocks come from the prefix cache
            start = System.nanoTime();
            CudaEngine.Prefilled second = engine.prefillPrompt(promptTokens, chunk);
            double secondMs = (System.nanoTime() - start) / 1e6;
            second.sequence().close();
            row(shape + ": time to the first token's logits, a second request over the same " + context + " tokens",
                    String.format("%.1f ms against %.1f s for the first (%d tokens from the prefix cache)", secondMs, promptSeconds,
                            second.cachedTokens()));
            // batch 1 and batch 16 over the shared prompt
            PagedSequence[] one = {prompt.fork()};
            double oneMs = decodeSteps(engine, one, 10);
            double rooflineLong = (weightBytes + kvBytesPerPosition * (context + 10)) / bandwidth * 1e3;
            row(shape + ": batch-1 decode at " + context, String.format("%.2f ms/step; roofline %.2f ms: %.0f%%", oneMs, rooflineLong,
                    100 * rooflineLong / oneMs));
            PagedSequence[] sixteen = new PagedSequence[16];
            for (int i = 0; i < 16; i++) {
                sixteen[i] = prompt.fork();
            }
            double sixteenMs = decodeSteps(engine, sixteen, 10);
            row(shape + ": batch-16 step sharing the " + context + "-token prompt", String.format("%.2f ms/step = %.2fx batch 1 (goal <= 1.5x); KV blocks used %d, shared %d",
                    sixteenMs, sixteenMs / oneMs, engine.pool().used(), engine.pool().shared()));
            engine.useGraphs(true);
            double sixteenGraphMs = decodeSteps(engine, sixteen, 10);
            engine.useGraphs(false);
            row(shape + ": the batch-16 step with CUDA graphs", String.format("%.2f ms/step = %.2fx the step without", sixteenGraphMs,
                    sixteenGraphMs / sixteenMs));
            one[0].close();
            Arrays.stream(sixteen).forEach(PagedSequence::close);
            prompt.close();
        }
    }

    /** Every projection and the output head for one token, queued without synchronising: median of 5, in ms. */
    private static double productsAlone(CudaDevice device, CudaOps ops, DeviceModel m, ModelConfig c) {
        long widest = Math.max(c.vocabSize(), Math.max(c.hiddenDim(), c.qDim()));
        try (DeviceBuffer x = device.allocate(4L * Math.max(c.dim(), c.hiddenDim()));
             DeviceBuffer out = device.allocate(4L * widest)) {
            ops.randomF32(x, Math.max(c.dim(), c.hiddenDim()), 5, 1f, 0f);
            Runnable step = () -> {
                for (int l = 0; l < c.layers(); l++) {
                    ops.matmul(m.wq[l], x, out, 1, c.qDim(), c.dim());
                    ops.matmul(m.wk[l], x, out, 1, c.kvDim(), c.dim());
                    ops.matmul(m.wv[l], x, out, 1, c.kvDim(), c.dim());
                    ops.matmul(m.wo[l], x, out, 1, c.dim(), c.qDim());
                    ops.matmul(m.w1[l], x, out, 1, c.hiddenDim(), c.dim());
                    ops.matmul(m.w3[l], x, out, 1, c.hiddenDim(), c.dim());
                    ops.matmul(m.w2[l], x, out, 1, c.dim(), c.hiddenDim());
                }
                ops.matmul(m.output, x, out, 1, c.vocabSize(), c.dim());
            };
            step.run();
            device.synchronize();
            double[] ms = new double[5];
            for (int i = 0; i < ms.length; i++) {
                ms[i] = device.time(step);
            }
            return median(ms);
        }
    }

    /** Median milliseconds of a decode step of these sequences, after 2 warm-up steps. */
    private static double decodeSteps(CudaEngine engine, PagedSequence[] sequences, int steps) {
        int[] next = new int[sequences.length];
        double[] ms = new double[steps];
        for (int s = -2; s < steps; s++) {
            for (int i = 0; i < next.length; i++) {
                next[i] = (s * 31 + i * 7 + 1000) % 128000;
            }
            long start = System.nanoTime();
            engine.decode(next, sequences); // synchronises at its end
            if (s >= 0) {
                ms[s] = (System.nanoTime() - start) / 1e6;
            }
        }
        return median(ms);
    }

    private void qwen2(CudaDevice device, CudaOps ops, Path folder) throws Exception {
        JsonNode reference = new ObjectMapper().readTree(folder.resolve("reference.json").toFile());
        int[] prompt = new ObjectMapper().convertValue(reference.get("prompt"), int[].class);
        float[] expected = new ObjectMapper().convertValue(reference.get("logits"), float[].class);
        ModelFolder loaded = ModelFolder.open(folder);
        float[] gpu;
        try (DeviceModel model = DeviceModel.upload(loaded.config(), loaded.weights(), device);
             CudaEngine engine = new CudaEngine(ops, model, 256, 64)) {
            PagedSequence s = engine.sequence();
            engine.prefill(prompt, s);
            gpu = engine.hostLogits(1)[0];
            s.close();
        }
        float[] cpu;
        try (Engine engine = new Engine(loaded, new CpuKernels(4))) {
            cpu = engine.transformer().forward(prompt, new KvCache(engine.config(), prompt.length));
        }
        row("Qwen2ForCausalLM (transformers " + reference.path("transformers").asText() + ") logits, relative error",
                String.format("GPU %.2e, CPU %.2e (%d prompt tokens, vocab %d)", relativeError(gpu, expected), relativeError(cpu, expected),
                        prompt.length, expected.length));
    }

    private static double relativeError(float[] got, float[] expected) {
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.length; i++) {
            diff += (got[i] - (double) expected[i]) * (got[i] - (double) expected[i]);
            norm += (double) expected[i] * expected[i];
        }
        return Math.sqrt(diff / norm);
    }

    private static int[] tokens(int n, int offset) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = (int) (((long) (offset + i) * 2654435761L) % 128000);
        }
        return t;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
