package dev.patchwright.inference.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.inference.engine.safetensors.SafetensorsFile;
import dev.patchwright.inference.engine.safetensors.TensorEntry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face model folder: {@code config.json} plus either {@code model.safetensors} or shards
 * listed in {@code model.safetensors.index.json}. Opening parses the config, checks every header,
 * and memory-maps the weights the architecture needs, checking each one's dtype and shape.
 */
public final class ModelFolder implements Weights.Source {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final ModelConfig config;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> fileOf;
    private final long maxChunkBytes;
    private final Weights weights;

    private ModelFolder(Path path, long maxChunkBytes) throws ModelLoadException {
        this.path = path;
        this.maxChunkBytes = maxChunkBytes;
        if (!Files.isDirectory(path)) {
            throw new ModelLoadException(path + ": not a model folder (no such directory)");
        }
        Path configFile = path.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new ModelLoadException(path + ": no config.json in the model folder");
        }
        this.config = ModelConfig.read(configFile);
        this.fileOf = new LinkedHashMap<>();
        this.files = Collections.unmodifiableList(openFiles());
        this.weights = Weights.load(config, this);
    }

    /**
     * Opens a model folder.
     *
     * @throws ModelLoadException naming the file or tensor that is missing or wrong
     */
    public static ModelFolder open(Path path) throws ModelLoadException {
        return new ModelFolder(path, WeightMatrix.MAX_CHUNK_BYTES);
    }

    /** As {@link #open(Path)}, mapping at most {@code maxChunkBytes} per buffer (tests of split mappings). */
    static ModelFolder open(Path path, long maxChunkBytes) throws ModelLoadException {
        return new ModelFolder(path, maxChunkBytes);
    }

    private List<SafetensorsFile> openFiles() throws ModelLoadException {
        Path index = path.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(index)) {
            return openShards(index);
        }
        Path single = path.resolve("model.safetensors");
        if (!Files.isRegularFile(single)) {
            throw new ModelLoadException(path + ": no model.safetensors or model.safetensors.index.json in the model folder");
        }
        SafetensorsFile file = SafetensorsFile.open(single);
        file.tensors().keySet().forEach(name -> fileOf.put(name, file));
        return List.of(file);
    }

    private List<SafetensorsFile> openShards(Path index) throws ModelLoadException {
        JsonNode weightMap;
        try {
            weightMap = JSON.readTree(index.toFile()).path("weight_map");
        } catch (IOException e) {
            throw new ModelLoadException(index + ": cannot read shard index: " + e.getMessage(), e);
        }
        if (!weightMap.isObject()) {
            throw new ModelLoadException(index + ": expected an object \"weight_map\" of tensor name to file name");
        }
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String fileName = entry.getValue().asText();
            Path shard = path.resolve(fileName).normalize();
            if (!shard.getParent().equals(path.normalize())) {
                throw new ModelLoadException(index + ": tensor " + entry.getKey() + " names \"" + fileName
                        + "\", which is not a file of the model folder");
            }
            SafetensorsFile file = shards.get(fileName);
            if (file == null) {
                if (!Files.isRegularFile(shard)) {
                    throw new ModelLoadException(index + ": shard " + fileName + " (for tensor " + entry.getKey() + ") is missing");
                }
                file = SafetensorsFile.open(shard);
                shards.put(fileName, file);
            }
            if (!file.tensors().containsKey(entry.getKey())) {
                throw new ModelLoadException(shard + ": tensor " + entry.getKey() + " is listed in the index but missing from the shard");
            }
            fileOf.put(entry.getKey(), file);
        }
        return new ArrayList<>(shards.values());
    }

    @Override
    public WeightMatrix matrix(String name, int rows, int cols) throws ModelLoadException {
        SafetensorsFile file = fileOf.get(name);
        TensorEntry entry = checked(file, name, new long[] {rows, cols});
        return WeightMatrix.map(file, entry, rows, cols, maxChunkBytes);
    }

    @Override
    public float[] vector(String name, int length) throws ModelLoadException {
        SafetensorsFile file = fileOf.get(name);
        TensorEntry entry = checked(file, name, new long[] {length});
        return WeightMatrix.map(file, entry, 1, length, maxChunkBytes).toFloats();
    }

    private TensorEntry checked(SafetensorsFile file, String name, long[] shape) throws ModelLoadException {
        if (file == null) {
            throw new ModelLoadException(name + ": tensor missing from " + path + " (expected shape " + Arrays.toString(shape) + ")");
        }
        TensorEntry entry = file.tensors().get(name);
        if (!entry.dtype().isFloatWeight()) {
            throw new ModelLoadException(name + ": unsupported dtype " + entry.dtype() + " in " + file.path()
                    + "; expected BF16, F16 or F32");
        }
        if (!Arrays.equals(entry.shape(), shape)) {
            throw new ModelLoadException(name + ": expected shape " + Arrays.toString(shape) + ", found "
                    + entry.shapeText() + " in " + file.path());
        }
        return entry;
    }

    /** The folder. */
    public Path path() {
        return path;
    }

    /** The parsed {@code config.json}. */
    public ModelConfig config() {
        return config;
    }

    /** The safetensors files the weights come from. */
    public List<SafetensorsFile> files() {
        return files;
    }

    /** The mapped weights. */
    public Weights weights() {
        return weights;
    }
}
