package dev.patchwright.inference.money;

import dev.patchwright.inference.model.ChatMessage;
import dev.patchwright.inference.model.ChatRequest;
import java.nio.charset.StandardCharsets;

import dev.patchwright.inference.model.Usage;
import java.math.BigInteger;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one model costs: dollars per million input tokens, per million cached input tokens (served from the
 * backend's prefix cache) and per million output tokens, and for a local engine dollars per GPU-hour. Costs
 * round up to the next micro-dollar, so spend is never under-counted.
 *
 * @param inputPerMillion dollars per million uncached prompt tokens
 * @param cachedInputPerMillion dollars per million cached prompt tokens
 * @param outputPerMillion dollars per million generated tokens
 * @param perGpuHour dollars per GPU-hour, for models that run on Patchwright's own engine ({@link Money#ZERO} for
 *     a hosted API billed by tokens)
 */
public record Price(Money inputPerMillion, Money cachedInputPerMillion, Money outputPerMillion, Money perGpuHour) {

    private static final BigInteger MILLION = BigInteger.valueOf(1_000_000L);
    private static final BigInteger NANOS_PER_HOUR = BigInteger.valueOf(3_600_000_000_000L);

    /** @throws IllegalArgumentException when a field is null or negative */
    public Price {
        check("input", inputPerMillion);
        check("cached-input", cachedInputPerMillion);
        check("output", outputPerMillion);
        check("gpu-hour", perGpuHour);
    }

    /** Token prices with cached input billed like uncached input and no GPU-hour price. */
    public static Price perMillionTokens(Money input, Money output) {
        return new Price(input, input, output, Money.ZERO);
    }

    /**
     * Parses {@code input=0.5,output=1.5} (dollars per million tokens), optionally with {@code cached-input=}
     * (default: the input price) and {@code gpu-hour=}; at least one of input, output and gpu-hour.
     *
     * @throws IllegalArgumentException naming the unknown key or the malformed amount
     */
    public static Price parse(String spec) {
        Map<String, Money> fields = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("price '" + spec + "': '" + part.strip()
                        + "' is not key=dollars (keys: input, cached-input, output, gpu-hour)");
            }
            String key = part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            if (!key.equals("input") && !key.equals("cached-input") && !key.equals("output") && !key.equals("gpu-hour")) {
                throw new IllegalArgumentException("price '" + spec + "': unknown key '" + key
                        + "' (keys: input, cached-input, output, gpu-hour)");
            }
            Money amount;
            try {
                amount = Money.parse(part.substring(eq + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("price '" + spec + "', key '" + key + "': " + e.getMessage());
            }
            if (fields.put(key, amount) != null) {
                throw new IllegalArgumentException("price '" + spec + "': '" + key + "' is given twice");
            }
        }
        return of(fields, "price '" + spec + "'");
    }

    /** A price from parsed fields keyed input, cached-input, output, gpu-hour; {@code what} names it in errors. */
    static Price of(Map<String, Money> fields, String what) {
        if (!fields.containsKey("input") && !fields.containsKey("output") && !fields.containsKey("gpu-hour")) {
            throw new IllegalArgumentException(what + " names none of input, output, gpu-hour");
        }
        Money input = fields.getOrDefault("input", Money.ZERO);
        return new Price(input, fields.getOrDefault("cached-input", input), fields.getOrDefault("output", Money.ZERO),
                fields.getOrDefault("gpu-hour", Money.ZERO));
    }

    /**
     * The cost of the tokens in {@code usage}: uncached prompt tokens at the input price, cached ones at the
     * cached-input price, generated tokens at the output price, rounded up to the micro-dollar.
     *
     * @throws ArithmeticException when the cost does not fit in a long of micro-dollars
     */
    public Money cost(Usage usage) {
        BigInteger microsTimesMillion = BigInteger.valueOf(usage.uncachedPromptTokens())
                .multiply(BigInteger.valueOf(inputPerMillion.micros()))
                .add(BigInteger.valueOf(usage.cachedPromptTokens()).multiply(BigInteger.valueOf(cachedInputPerMillion.micros())))
                .add(BigInteger.valueOf(usage.completionTokens()).multiply(BigInteger.valueOf(outputPerMillion.micros())));
        return Money.ofMicros(ceilDiv(microsTimesMillion, MILLION).longValueExact());
    }

    /**
     * The cost of {@code gpuTime} on a local engine at the GPU-hour price, rounded up to the micro-dollar.
     *
     * @throws IllegalArgumentException when gpuTime is negative
     */
    public Money cost(Duration gpuTime) {
        if (gpuTime.isNegative()) {
            throw new IllegalArgumentException("gpuTime must not be negative, was " + gpuTime);
        }
        BigInteger nanos = BigInteger.valueOf(gpuTime.getSeconds()).multiply(BigInteger.valueOf(1_000_000_000L))
                .add(BigInteger.valueOf(gpuTime.getNano()));
        return Money.ofMicros(ceilDiv(nanos.multiply(BigInteger.valueOf(perGpuHour.micros())), NANOS_PER_HOUR)
                .longValueExact());
    }

    /**
     * Prompt tokens reserved per message and per request for the chat template's markers; Llama 3.1's template adds a
     * system turn of about twenty on its own.
     */
    public static final int TEMPLATE_TOKENS = 32;

    /**
     * The most one request can cost, whatever tokenizer the backend runs: as many uncached prompt tokens as the
     * messages have UTF-8 bytes (no byte-level tokenizer makes more) plus {@link #TEMPLATE_TOKENS} per message and
     * per request, every output token all {@code n} samples may generate, and for a GPU-hour price the longest the
     * call may take.
     *
     * @param callTime the longest the call may run (its timeout); used only with a GPU-hour price
     * @throws ArithmeticException when the cost does not fit in a long of micro-dollars
     */
    public Money worstCase(ChatRequest request, Duration callTime) {
        long bytes = 0;
        for (ChatMessage message : request.messages()) {
            bytes += message.content().getBytes(StandardCharsets.UTF_8).length;
        }
        long prompt = bytes + (long) TEMPLATE_TOKENS * (request.messages().size() + 1);
        Money worst = cost(new Usage(prompt, 0, Math.multiplyExact((long) request.maxTokens(), request.n())));
        return perGpuHour.isZero() ? worst : worst.plus(cost(callTime));
    }

    private static BigInteger ceilDiv(BigInteger a, BigInteger b) {
        BigInteger[] qr = a.divideAndRemainder(b);
        return qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
    }

    private static void check(String name, Money value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " price must not be null");
        }
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " price must not be negative, was " + value);
        }
    }

    /** {@code input $0.50/M, cached $0.25/M, output $1.50/M} and the GPU-hour price when there is one. */
    @Override
    public String toString() {
        return "input " + inputPerMillion + "/M, cached " + cachedInputPerMillion + "/M, output " + outputPerMillion
                + "/M" + (perGpuHour.isZero() ? "" : ", " + perGpuHour + "/GPU-hour");
    }
}
