package io.belamy.core.bert;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.belamy.core.io.HfConfig;
import io.belamy.core.io.Safetensors;
import io.belamy.core.io.Tensor;
import io.belamy.core.nn.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BERT weights in the Hugging Face layout: {@code config.json} ({@code BertConfig}) and {@code
 * model.safetensors} with {@code bert.*} and {@code cls.predictions.*} names; the decoder is tied
 * to the word embeddings and not stored.
 */
public final class BertCheckpoint {

    public static final String ARCHITECTURE = "BertForMaskedLM";
    public static final String MODEL_TYPE = "bert";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WHAT = "belamy's BERT";

    private BertCheckpoint() {}

    /**
     * Reads and validates {@code config.json}; absent keys take {@code BertConfig}'s defaults.
     *
     * @throws IOException naming the file, the field and the value that belamy cannot use
     */
    public static BertConfig readConfig(Path dir) throws IOException {
        HfConfig c = HfConfig.read(dir);
        try {
            return fromHfConfig(c);
        } catch (IllegalArgumentException e) {
            throw new IOException(dir.resolve(HfConfig.FILE) + ": " + e.getMessage(), e);
        }
    }

    static BertConfig fromHfConfig(HfConfig c) {
        c.oneOf("model_type", MODEL_TYPE, List.of(MODEL_TYPE), WHAT);
        c.requireArchitectures(List.of(ARCHITECTURE, "BertForPreTraining"), WHAT);
        c.oneOf("hidden_act", "gelu", List.of("gelu"), WHAT);
        c.oneOf("position_embedding_type", "absolute", List.of("absolute"), WHAT);
        c.requireFlag("is_decoder", false, WHAT);
        c.requireFlag("add_cross_attention", false, WHAT);
        c.requireFlag("tie_word_embeddings", true, WHAT);
        return new BertConfig(
                c.integer("vocab_size", 30522),
                c.integer("max_position_embeddings", 512),
                c.integer("hidden_size", 768),
                c.integer("num_hidden_layers", 12),
                c.integer("num_attention_heads", 12),
                c.integer("intermediate_size", 3072),
                c.integer("type_vocab_size", 2),
                (float) c.number("layer_norm_eps", 1e-12),
                (float) c.number("hidden_dropout_prob", 0.1),
                (float) c.number("attention_probs_dropout_prob", 0.1),
                c.integer("pad_token_id", 0));
    }

    /** The {@code BertConfig} JSON that {@code transformers} reads for this config. */
    public static ObjectNode toHfConfig(BertConfig config) {
        ObjectNode c = JSON.createObjectNode();
        c.put("add_cross_attention", false);
        c.putArray("architectures").add(ARCHITECTURE);
        c.put("attention_probs_dropout_prob", config.attentionDropout());
        c.putNull("classifier_dropout");
        c.put("dtype", "float32");
        c.put("hidden_act", "gelu");
        c.put("hidden_dropout_prob", config.dropout());
        c.put("hidden_size", config.hiddenSize());
        c.put("initializer_range", Bert.INIT_STD);
        c.put("intermediate_size", config.intermediateSize());
        c.put("is_decoder", false);
        c.put("layer_norm_eps", config.layerNormEpsilon());
        c.put("max_position_embeddings", config.maxPositions());
        c.put("model_type", MODEL_TYPE);
        c.put("num_attention_heads", config.heads());
        c.put("num_hidden_layers", config.layers());
        c.put("pad_token_id", config.padTokenId());
        c.put("position_embedding_type", "absolute");
        c.put("tie_word_embeddings", true);
        c.put("torch_dtype", "float32");
        c.put("type_vocab_size", config.typeVocabSize());
        c.put("use_cache", true);
        c.put("vocab_size", config.vocabSize());
        return c;
    }

    /**
     * Builds a model from Hugging Face tensors.
     *
     * @throws IllegalArgumentException naming a missing tensor or one whose shape does not match
     */
    public static Bert fromTensors(
            BertConfig config, Map<String, Tensor> tensors, NDManager manager) {
        Bert bert = Bert.createForLoading(config, manager);
        Weights.assign(bert.namedParameters(), normalizeNames(tensors));
        return bert;
    }

    /**
     * Accepts the names of older checkpoints ({@code LayerNorm.gamma/beta}, the decoder bias as
     * {@code cls.predictions.decoder.bias}) and drops what a masked LM does not use (pooler,
     * next-sentence head, the tied decoder weight, position-id buffers).
     */
    private static Map<String, Tensor> normalizeNames(Map<String, Tensor> tensors) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name =
                    e.getKey()
                            .replace("LayerNorm.gamma", "LayerNorm.weight")
                            .replace("LayerNorm.beta", "LayerNorm.bias");
            if (name.startsWith("bert.pooler.")
                    || name.startsWith("cls.seq_relationship.")
                    || name.equals("cls.predictions.decoder.weight")
                    || name.endsWith("embeddings.position_ids")) {
                continue;
            }
            if (name.equals("cls.predictions.decoder.bias")) {
                out.putIfAbsent("cls.predictions.bias", e.getValue());
                continue;
            }
            out.put(name, e.getValue());
        }
        return out;
    }

    /** Writes {@code config.json} and {@code model.safetensors} into {@code dir}. */
    public static void save(Bert bert, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve(HfConfig.FILE),
                JSON.writerWithDefaultPrettyPrinter()
                        .writeValueAsString(toHfConfig(bert.config())));
        Safetensors.write(
                dir.resolve("model.safetensors"), Weights.toTensors(bert.namedParameters()));
    }

    /** Reads {@code config.json} and the safetensors weights of a model directory. */
    public static Bert load(Path dir, NDManager manager) throws IOException {
        BertConfig config = readConfig(dir);
        Map<String, Tensor> tensors = Safetensors.readModel(dir);
        try {
            return fromTensors(config, tensors, manager);
        } catch (IllegalArgumentException e) {
            throw new IOException(dir.resolve("model.safetensors") + ": " + e.getMessage(), e);
        }
    }
}
