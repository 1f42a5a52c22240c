package io.belamy.core.gpt;

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
import java.util.Set;

/**
 * GPT weights in the Hugging Face layout: {@code config.json} ({@code GPT2Config}) and {@code
 * model.safetensors} with {@code transformer.*} names, Conv1D weights as [in, out], and no {@code
 * lm_head.weight} (it is tied to {@code transformer.wte.weight}).
 */
public final class GptCheckpoint {

    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";
    public static final String ARCHITECTURE = "GPT2LMHeadModel";
    public static final String MODEL_TYPE = "gpt2";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "transformer.";
    private static final List<String> ACTIVATIONS = List.of("gelu_new", "gelu_pytorch_tanh");
    private static final Set<String> ARCHITECTURES = Set.of(ARCHITECTURE, "GPT2Model");

    private GptCheckpoint() {}

    /**
     * Reads and validates {@code config.json}; absent keys take {@code GPT2Config}'s defaults.
     *
     * @throws IOException naming the file, the field and the value that belamy cannot use
     */
    public static GptConfig readConfig(Path dir) throws IOException {
        HfConfig c = HfConfig.read(dir);
        try {
            return fromHfConfig(c);
        } catch (IllegalArgumentException e) {
            throw new IOException(dir.resolve(CONFIG_FILE) + ": " + e.getMessage(), e);
        }
    }

    /** A {@link GptConfig} from a parsed {@code GPT2Config}. */
    static GptConfig fromHfConfig(HfConfig c) {
        c.oneOf("model_type", MODEL_TYPE, List.of(MODEL_TYPE), "belamy's GPT");
        c.requireArchitectures(ARCHITECTURES, "belamy's GPT");
        c.oneOf("activation_function", "gelu_new", ACTIVATIONS, "belamy's GPT");
        c.requireFlag("add_cross_attention", false, "belamy's GPT");
        c.requireFlag("scale_attn_by_inverse_layer_idx", false, "belamy's GPT");
        c.requireFlag("scale_attn_weights", true, "belamy's GPT");
        c.requireFlag("tie_word_embeddings", true, "belamy's GPT");

        int vocab = c.integer("vocab_size", 50257);
        int embd = c.integer("n_embd", 768);
        int innerSize = c.has("n_inner") ? c.integer("n_inner", 0) : 4 * embd;
        return new GptConfig(
                vocab,
                c.integer("n_positions", 1024),
                embd,
                c.integer("n_layer", 12),
                c.integer("n_head", 12),
                innerSize,
                (float) c.number("layer_norm_epsilon", 1e-5),
                (float) c.number("resid_pdrop", 0.1),
                tokenId(c, "bos_token_id", 50256, vocab),
                tokenId(c, "eos_token_id", 50256, vocab));
    }

    /** The {@code GPT2Config} JSON that {@code transformers} reads for this config. */
    public static ObjectNode toHfConfig(GptConfig config) {
        ObjectNode c = JSON.createObjectNode();
        c.put("activation_function", "gelu_new");
        c.put("add_cross_attention", false);
        c.putArray("architectures").add(ARCHITECTURE);
        c.put("attn_pdrop", config.dropout());
        putTokenId(c, "bos_token_id", config.bosTokenId());
        c.put("dtype", "float32");
        c.put("embd_pdrop", config.dropout());
        putTokenId(c, "eos_token_id", config.eosTokenId());
        c.put("initializer_range", Gpt.INIT_STD);
        c.put("layer_norm_epsilon", config.layerNormEpsilon());
        c.put("model_type", MODEL_TYPE);
        c.put("n_ctx", config.contextLength());
        c.put("n_embd", config.embeddingSize());
        c.put("n_head", config.heads());
        c.put("n_inner", config.innerSize());
        c.put("n_layer", config.layers());
        c.put("n_positions", config.contextLength());
        c.put("reorder_and_upcast_attn", false);
        c.put("resid_pdrop", config.dropout());
        c.put("scale_attn_by_inverse_layer_idx", false);
        c.put("scale_attn_weights", true);
        c.put("summary_activation", (String) null);
        c.put("summary_first_dropout", 0.1);
        c.put("summary_proj_to_labels", true);
        c.put("summary_type", "cls_index");
        c.put("summary_use_proj", true);
        c.put("tie_word_embeddings", true);
        c.put("torch_dtype", "float32");
        c.put("use_cache", true);
        c.put("vocab_size", config.vocabSize());
        return c;
    }

    /**
     * Builds a model from Hugging Face tensors (widened to float32).
     *
     * @throws IllegalArgumentException naming a missing tensor or one whose shape does not match
     *     the config
     */
    public static Gpt fromTensors(
            GptConfig config, Map<String, Tensor> tensors, NDManager manager) {
        Gpt gpt = Gpt.createForLoading(config, manager);
        Weights.assign(gpt.namedParameters(), normalizeNames(tensors));
        return gpt;
    }

    /**
     * Accepts checkpoints saved from {@code GPT2Model} (no {@code transformer.} prefix) and drops
     * what the tied model does not use: {@code lm_head.weight} and the attention-mask buffers of
     * old checkpoints.
     */
    private static Map<String, Tensor> normalizeNames(Map<String, Tensor> tensors) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name.equals("lm_head.weight")
                    || name.endsWith(".attn.bias")
                    || name.endsWith(".attn.masked_bias")) {
                continue;
            }
            out.put(name.startsWith(PREFIX) ? name : PREFIX + name, e.getValue());
        }
        return out;
    }

    /** The model's weights as float32 tensors under their Hugging Face names. */
    public static Map<String, Tensor> toTensors(Gpt gpt) {
        return Weights.toTensors(gpt.namedParameters());
    }

    /** Writes {@code config.json} and {@code model.safetensors} into {@code dir}. */
    public static void save(Gpt gpt, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve(CONFIG_FILE),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toHfConfig(gpt.config())));
        Safetensors.write(dir.resolve(WEIGHTS_FILE), toTensors(gpt));
    }

    /** Reads {@code config.json} and the safetensors weights of a model directory. */
    public static Gpt load(Path dir, NDManager manager) throws IOException {
        GptConfig config = readConfig(dir);
        Map<String, Tensor> tensors = Safetensors.readModel(dir);
        try {
            return fromTensors(config, tensors, manager);
        } catch (IllegalArgumentException e) {
            throw new IOException(dir.resolve(WEIGHTS_FILE) + ": " + e.getMessage(), e);
        }
    }

    private static void putTokenId(ObjectNode c, String field, int id) {
        if (id < 0) {
            c.putNull(field);
        } else {
            c.put(field, id);
        }
    }

    /**
     * A special token id, or -1 (none) when absent and GPT-2's default does not fit the vocabulary.
     */
    private static int tokenId(HfConfig c, String field, int fallback, int vocab) {
        if (!c.has(field)) {
            return fallback < vocab ? fallback : -1;
        }
        int id = c.integer(field, fallback);
        if (id < 0 || id >= vocab) {
            throw new IllegalArgumentException(
                    field + " " + id + " is outside the vocabulary [0, " + vocab + ")");
        }
        return id;
    }
}
