package io.belamy.core.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} run by DJL's binding of the Rust {@code tokenizers}
 * library. Encoding adds the special tokens of the tokenizer's post-processor (as {@code
 * tokenizer(text)} does in Python) and never truncates or pads.
 */
public final class HfTokenizer implements TextTokenizer {

    /** Tokenizer settings file that {@code transformers} reads beside {@code tokenizer.json}. */
    public static final String CONFIG_FILE = "tokenizer_config.json";

    /** Companion files copied verbatim when the tokenizer is saved into another directory. */
    private static final String[] COMPANION_FILES = {CONFIG_FILE, "special_tokens_map.json"};

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final String json;
    private final Map<String, byte[]> companions;
    private final Map<String, Integer> vocabulary;
    private final int vocabSize;

    private HfTokenizer(
            HuggingFaceTokenizer tokenizer,
            String json,
            Map<String, byte[]> companions,
            Map<String, Integer> vocabulary) {
        this.tokenizer = tokenizer;
        this.json = json;
        this.companions = companions;
        this.vocabulary = vocabulary;
        this.vocabSize =
                vocabulary.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    }

    /**
     * Loads {@code tokenizer.json} from a model directory (or the file itself).
     *
     * @throws IOException naming the file when it is missing or not a tokenizer
     */
    public static HfTokenizer load(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve(TOKENIZER_FILE) : path;
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "tokenizer file not found");
        }
        String json = Files.readString(file, StandardCharsets.UTF_8);
        Map<String, byte[]> companions = new LinkedHashMap<>();
        for (String name : COMPANION_FILES) {
            Path companion = file.resolveSibling(name);
            if (Files.isRegularFile(companion)) {
                companions.put(name, Files.readAllBytes(companion));
            }
        }
        return fromJson(json, companions, file.toString());
    }

    static HfTokenizer fromJson(String json, Map<String, byte[]> companions, String source)
            throws IOException {
        Map<String, Integer> vocabulary;
        try {
            vocabulary = vocabulary(JSON.readTree(json));
        } catch (IOException | RuntimeException e) {
            throw new IOException(
                    source + ": not a Hugging Face tokenizer.json: " + e.getMessage(), e);
        }
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        Map<String, String> options = new HashMap<>();
        options.put("addSpecialTokens", "true");
        options.put("truncation", "false");
        options.put("padding", "false");
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer =
                    HuggingFaceTokenizer.newInstance(
                            new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                            options);
        } catch (RuntimeException e) {
            throw new IOException(
                    source + ": the tokenizers library rejected it: " + e.getMessage(), e);
        }
        return new HfTokenizer(tokenizer, json, companions, vocabulary);
    }

    /** Token text to id, from the model's vocabulary and the added tokens. */
    private static Map<String, Integer> vocabulary(JsonNode root) {
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) {
            throw new IllegalArgumentException("missing \"model\" object");
        }
        Map<String, Integer> vocabulary = new HashMap<>();
        JsonNode vocab = model.get("vocab");
        if (vocab != null && vocab.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                vocabulary.put(e.getKey(), e.getValue().asInt());
            }
        } else if (vocab != null && vocab.isArray()) {
            // Unigram: [[piece, score], ...], ids by position
            for (int i = 0; i < vocab.size(); i++) {
                vocabulary.put(vocab.get(i).get(0).asText(), i);
            }
        } else {
            throw new IllegalArgumentException("missing \"model.vocab\"");
        }
        JsonNode added = root.get("added_tokens");
        if (added != null) {
            for (JsonNode token : added) {
                vocabulary.put(token.get("content").asText(), token.get("id").asInt());
            }
        }
        return vocabulary;
    }

    @Override
    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException(
                        "token id " + ids[i] + " is outside the vocabulary [0, " + vocabSize + ")");
            }
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, true);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int tokenId(String token) {
        return vocabulary.getOrDefault(token, -1);
    }

    /** The tokenizer.json text this tokenizer was loaded from. */
    String json() {
        return json;
    }

    @Override
    public void save(Path dir) throws IOException {
        Files.writeString(dir.resolve(TOKENIZER_FILE), json, StandardCharsets.UTF_8);
        for (Map.Entry<String, byte[]> e : companions.entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue());
        }
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    @Override
    public String toString() {
        return "HfTokenizer(vocab " + vocabSize + ")";
    }
}
