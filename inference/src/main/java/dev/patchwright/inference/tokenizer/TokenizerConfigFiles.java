package dev.patchwright.inference.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What a model's {@code tokenizer_config.json} and {@code generation_config.json} say about
 * generation: the end-of-sequence token(s) and the Jinja chat template's source. Both files sit
 * beside {@code tokenizer.json} in a Hugging Face model folder; either may be missing.
 *
 * @param chatTemplate the {@code chat_template} source, or null when there is none
 * @param eosTokens    the text of {@code eos_token} from {@code tokenizer_config.json}, if any
 * @param eosIds       the ids of {@code eos_token_id} (a number or a list) from
 *                     {@code generation_config.json}, if any
 */
record TokenizerConfigFiles(String chatTemplate, Set<String> eosTokens, Set<Integer> eosIds) {

    static final TokenizerConfigFiles NONE = new TokenizerConfigFiles(null, Set.of(), Set.of());

    TokenizerConfigFiles {
        eosTokens = Set.copyOf(eosTokens);
        eosIds = Set.copyOf(eosIds);
    }

    /**
     * The config files in the folder of {@code tokenizerFile}.
     *
     * @throws IllegalArgumentException when one of them exists but cannot be read or is not JSON
     */
    static TokenizerConfigFiles besides(Path tokenizerFile) {
        Path folder = tokenizerFile.toAbsolutePath().getParent();
        JsonNode tokenizerConfig = readIfPresent(folder.resolve("tokenizer_config.json"));
        JsonNode generationConfig = readIfPresent(folder.resolve("generation_config.json"));
        String template = null;
        Set<String> eosTokens = new LinkedHashSet<>();
        Set<Integer> eosIds = new LinkedHashSet<>();
        if (tokenizerConfig != null) {
            JsonNode chat = tokenizerConfig.path("chat_template");
            // older configs give several named templates as a list of {name, template}
            if (chat.isTextual()) {
                template = chat.asText();
            } else if (chat.isArray()) {
                for (JsonNode named : chat) {
                    if (named.path("name").asText("").equals("default")) {
                        template = named.path("template").asText(null);
                    }
                }
            }
            JsonNode eos = tokenizerConfig.path("eos_token");
            String text = eos.isTextual() ? eos.asText() : eos.path("content").asText("");
            if (!text.isEmpty()) {
                eosTokens.add(text);
            }
        }
        if (generationConfig != null) {
            JsonNode eos = generationConfig.path("eos_token_id");
            if (eos.canConvertToInt()) {
                eosIds.add(eos.asInt());
            }
            if (eos.isArray()) {
                for (JsonNode id : eos) {
                    if (id.canConvertToInt()) {
                        eosIds.add(id.asInt());
                    }
                }
            }
        }
        return new TokenizerConfigFiles(template, eosTokens, eosIds);
    }

    private static JsonNode readIfPresent(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
