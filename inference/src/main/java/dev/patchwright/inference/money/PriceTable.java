package dev.patchwright.inference.money;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Prices by model name, read from a YAML or JSON file (by extension: {@code .json} is JSON, anything else YAML):
 *
 * <pre>
 * # dollars per million tokens; gpu-hour for models on Patchwright's own engine
 * gpt-4.1:      {input: 2.00, cached-input: 0.50, output: 8.00}
 * qwen3-local:  {gpu-hour: 2.50}
 * </pre>
 *
 * <p>Amounts are read from the file's text, never through a floating-point number; {@code cached-input} defaults
 * to {@code input}. Immutable.
 */
public final class PriceTable {

    private static final Set<String> KEYS = Set.of("input", "cached-input", "output", "gpu-hour");

    private final String source;
    private final Map<String, Price> prices;

    /**
     * A table from prices already known.
     *
     * @param source where they came from, for error messages (a file name, "command line")
     */
    public PriceTable(String source, Map<String, Price> prices) {
        this.source = source;
        this.prices = Map.copyOf(prices);
    }

    /**
     * Reads a price file.
     *
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException naming the file, the line and the model or key when its content is malformed
     *     (not a mapping of model names to mappings of input, cached-input, output, gpu-hour to dollar amounts)
     */
    public static PriceTable load(Path file) throws IOException {
        JsonFactory factory = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")
                ? new JsonFactory() : new YAMLFactory();
        Map<String, Price> prices = new LinkedHashMap<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                JsonParser parser = factory.createParser(reader)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new IllegalArgumentException("price file " + file + " is empty; it maps model names to prices "
                        + "such as 'gpt-4.1: {input: 2.00, output: 8.00}'");
            }
            expect(parser, file, token == JsonToken.START_OBJECT, "a mapping of model names to prices");
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String model = parser.currentName();
                int line = line(parser);
                expect(parser, file, parser.nextToken() == JsonToken.START_OBJECT,
                        "model '" + model + "' to map to {input, cached-input, output, gpu-hour}");
                Map<String, Money> fields = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    if (!KEYS.contains(key)) {
                        throw new IllegalArgumentException("price file " + file + ", line " + line(parser) + ", model '"
                                + model + "': unknown key '" + key + "' (keys: input, cached-input, output, gpu-hour)");
                    }
                    JsonToken value = parser.nextToken();
                    try {
                        if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT
                                && value != JsonToken.VALUE_STRING) {
                            throw new IllegalArgumentException("expected an amount of dollars, found " + value);
                        }
                        // The text as written: an amount never passes through a double.
                        fields.put(key, Money.parse(parser.getText()));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("price file " + file + ", line " + line(parser)
                                + ", model '" + model + "', key '" + key + "': " + e.getMessage());
                    }
                }
                try {
                    if (prices.put(model, Price.of(fields, "model '" + model + "'")) != null) {
                        throw new IllegalArgumentException("model '" + model + "' is priced twice");
                    }
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("price file " + file + ", line " + line + ": " + e.getMessage());
                }
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("price file " + file + " is not valid "
                    + (factory instanceof YAMLFactory ? "YAML" : "JSON") + " at line "
                    + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ": " + e.getOriginalMessage());
        }
        return new PriceTable(file.toString(), prices);
    }

    /**
     * The price of {@code model}: {@code inlineSpec} when given (see {@link Price#parse}), else the model's row of
     * the price file.
     *
     * @param inlineHint how the caller's user gives a price inline ("pass --price input=D,output=D"), for errors
     * @throws IOException              when the file exists but cannot be read
     * @throws IllegalArgumentException naming the model, the file and how to fix it, when there is no price
     */
    public static Price resolve(String inlineSpec, Path file, String model, String inlineHint) throws IOException {
        if (inlineSpec != null && !inlineSpec.isBlank()) {
            return Price.parse(inlineSpec);
        }
        if (file == null || !Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no price for model '" + model + "': the price file " + file
                    + " does not exist; create it with a line such as '" + model + ": {input: 2.00, output: 8.00}'"
                    + " (dollars per million tokens) or " + inlineHint);
        }
        try {
            return load(file).require(model);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; add it there or " + inlineHint);
        }
    }

    private static void expect(JsonParser parser, Path file, boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("price file " + file + ", line " + line(parser) + ": expected " + what
                    + ", found " + parser.currentToken());
        }
    }

    private static int line(JsonParser parser) {
        return parser.currentTokenLocation().getLineNr();
    }

    /** Where the prices came from. */
    public String source() {
        return source;
    }

    /** The price of {@code model}, if the table has one. */
    public Optional<Price> find(String model) {
        return Optional.ofNullable(prices.get(model));
    }

    /**
     * The price of {@code model}.
     *
     * @throws IllegalArgumentException naming the model, the source and the models it does price
     */
    public Price require(String model) {
        Price price = prices.get(model);
        if (price == null) {
            throw new IllegalArgumentException("model '" + model + "' has no price in " + source + " (it prices: "
                    + (prices.isEmpty() ? "nothing" : String.join(", ", prices.keySet().stream().sorted().toList())) + ")");
        }
        return price;
    }

    /** The models priced, in no particular order. */
    public Set<String> models() {
        return prices.keySet();
    }
}
