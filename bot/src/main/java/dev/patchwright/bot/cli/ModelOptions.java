package dev.patchwright.bot.cli;

import dev.patchwright.inference.local.Models;
import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.model.Model;
import dev.patchwright.inference.money.Price;
import dev.patchwright.inference.money.PriceTable;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The options every command that calls a model shares ({@code solve}, {@code eval hashhop}, {@code eval backtest}):
 * where the model is, its name, and its price. The API key comes from {@code PATCHWRIGHT_MODEL_API_KEY} only, never
 * from the command line.
 */
class ModelOptions {

    @Option(names = "--model-url", defaultValue = "${env:PATCHWRIGHT_MODEL_URL}",
            description = "OpenAI-compatible base URL, or local:/path/to/model-folder for the built-in CPU engine, billed with the gpu-hour price (env PATCHWRIGHT_MODEL_URL); the API key comes from env PATCHWRIGHT_MODEL_API_KEY")
    String modelUrl;

    @Option(names = "--model", defaultValue = "${env:PATCHWRIGHT_MODEL_NAME:-gpt-4.1}",
            description = "model name (env PATCHWRIGHT_MODEL_NAME, default ${DEFAULT-VALUE})")
    String modelName;

    @Option(names = "--prices", defaultValue = "${env:PATCHWRIGHT_PRICES:-${env:PATCHWRIGHT_HOME:-${sys:user.home}/.patchwright}/prices.yaml}",
            description = "price table, YAML or JSON: 'MODEL: {input: 2.00, cached-input: 0.50, output: 8.00}' in dollars per million tokens (env PATCHWRIGHT_PRICES, default ${DEFAULT-VALUE})")
    Path prices;

    @Option(names = "--price", paramLabel = "input=D,output=D", defaultValue = "${env:PATCHWRIGHT_MODEL_PRICE}",
            description = "the model's price instead of its row in --prices: dollars per million tokens, keys input, cached-input (default: input), output, gpu-hour (env PATCHWRIGHT_MODEL_PRICE)")
    String price;

    /**
     * The model the options name, each call limited to {@code callLimit}.
     *
     * @throws IllegalArgumentException with the sentence to print, when none is named or it cannot be opened
     */
    Model model(Duration callLimit) {
        if (modelUrl == null || modelUrl.isBlank()) {
            throw new IllegalArgumentException("no model: pass --model-url or set PATCHWRIGHT_MODEL_URL (an "
                    + "OpenAI-compatible base URL or local:/path/to/model-folder)");
        }
        String apiKey = System.getenv("PATCHWRIGHT_MODEL_API_KEY");
        apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        try {
            // A local folder answers to its own name, which is also the row of its price; --model names a model on a server.
            return Models.open(modelUrl, Models.isLocal(modelUrl) ? null : modelName, apiKey, callLimit);
        } catch (InferenceException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--model-url: " + e.getMessage(), e);
        }
    }

    /**
     * The model's price: --price, else its row in --prices.
     *
     * @throws IllegalArgumentException when it has neither, or the price table or --price cannot be read
     */
    Price price(Model model) throws IOException {
        return PriceTable.resolve(price, prices, model.name(), "pass --price input=DOLLARS,output=DOLLARS");
    }
}
