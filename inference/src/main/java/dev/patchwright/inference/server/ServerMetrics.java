package dev.patchwright.inference.server;

import dev.patchwright.inference.local.LocalCompletion;
import dev.patchwright.inference.local.LocalModel;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@code GET /metrics} reports, in Prometheus's text format (version 0.0.4): requests in the
 * server (the model generates one at a time, the others wait), tokens and engine time since start,
 * the generation rate of the last request, and the prefix cache's KV blocks. Thread-safe.
 */
final class ServerMetrics {

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong cachedPromptTokens = new AtomicLong();
    private final AtomicLong generatedTokens = new AtomicLong();
    private final AtomicLong computeNanos = new AtomicLong();
    private volatile double lastTokensPerSecond;

    /** A request starts waiting for the model. */
    void started() {
        inFlight.incrementAndGet();
    }

    /** A request ended: {@code done} is null when it failed. */
    void finished(LocalCompletion done) {
        inFlight.decrementAndGet();
        if (done == null) {
            failed.incrementAndGet();
            return;
        }
        completed.incrementAndGet();
        promptTokens.addAndGet(done.usage().promptTokens());
        cachedPromptTokens.addAndGet(done.usage().cachedPromptTokens());
        generatedTokens.addAndGet(done.usage().completionTokens());
        long nanos = done.compute().toNanos();
        computeNanos.addAndGet(nanos);
        if (nanos > 0) {
            lastTokensPerSecond = done.usage().completionTokens() / (nanos / 1e9);
        }
    }

    /** Requests in the server: the one generating and those waiting for it. */
    int inFlight() {
        return inFlight.get();
    }

    String render(String servedName, LocalModel model) {
        int now = inFlight.get();
        LocalModel.PrefixCacheStats cache = model.prefixCacheStats();
        StringBuilder out = new StringBuilder();
        String label = "{model=\"" + servedName.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        gauge(out, "patchwright_model_requests_running", "Requests the model is generating (one at a time).", label,
                Math.min(1, now));
        gauge(out, "patchwright_model_requests_waiting", "Requests waiting for the model: the queue depth.", label,
                Math.max(0, now - 1));
        counter(out, "patchwright_model_requests_total", "Requests answered with a completion.", label, completed.get());
        counter(out, "patchwright_model_request_failures_total", "Requests the model refused or failed.", label,
                failed.get());
        counter(out, "patchwright_model_prompt_tokens_total", "Prompt tokens of answered requests.", label,
                promptTokens.get());
        counter(out, "patchwright_model_cached_prompt_tokens_total",
                "Prompt tokens the prefix cache served instead of the engine.", label, cachedPromptTokens.get());
        counter(out, "patchwright_model_generated_tokens_total", "Tokens generated, all samples.", label,
                generatedTokens.get());
        counter(out, "patchwright_model_compute_seconds_total", "Engine time of answered requests, prompt and decode.",
                label, computeNanos.get() / 1e9);
        gauge(out, "patchwright_model_generated_tokens_per_second",
                "Tokens the last answered request generated per second of its engine time.", label, lastTokensPerSecond);
        gauge(out, "patchwright_model_kv_blocks_used", "KV-cache blocks held (128 positions each on the CPU engine, 16 on the GPU).",
                label, cache.blocks());
        gauge(out, "patchwright_model_kv_blocks_shared", "KV-cache blocks that two or more cached prompts share.",
                label, cache.sharedBlocks());
        gauge(out, "patchwright_model_kv_cache_bytes", "Bytes the prefix cache's blocks hold.", label, cache.bytes());
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String help, String label, double value) {
        metric(out, name, "gauge", help, label, value);
    }

    private static void counter(StringBuilder out, String name, String help, String label, double value) {
        metric(out, name, "counter", help, label, value);
    }

    private static void metric(StringBuilder out, String name, String type, String help, String label, double value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        out.append(name).append(label).append(' ');
        out.append(value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.6g", value)).append('\n');
    }
}
