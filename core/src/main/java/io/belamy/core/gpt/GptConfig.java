package io.belamy.core.gpt;

/**
 * Hyperparameters of a GPT-2 style language model ({@code GPT2LMHeadModel}).
 *
 * <p>Hugging Face names: {@code vocab_size}, {@code n_positions}, {@code n_embd}, {@code n_layer},
 * {@code n_head}, {@code n_inner}, {@code layer_norm_epsilon}, {@code resid_pdrop}, {@code
 * bos_token_id}, {@code eos_token_id}.
 *
 * @param vocabSize number of token ids (V)
 * @param contextLength maximum sequence length, prompt and generated tokens together
 * @param embeddingSize width of the residual stream (C)
 * @param layers number of Transformer blocks
 * @param heads attention heads per block (H); must divide {@code embeddingSize}
 * @param innerSize width of the MLP's hidden layer (4C in GPT-2)
 * @param layerNormEpsilon epsilon of every LayerNorm
 * @param dropout dropout rate on embeddings, attention weights and residual branches in training
 * @param bosTokenId id of the beginning-of-text token, or -1 for none
 * @param eosTokenId id of the end-of-text token, or -1 for none; generation stops when it is
 *     sampled
 */
public record GptConfig(
        int vocabSize,
        int contextLength,
        int embeddingSize,
        int layers,
        int heads,
        int innerSize,
        float layerNormEpsilon,
        float dropout,
        int bosTokenId,
        int eosTokenId) {

    /** Vocabulary of {@link io.belamy.core.tokenizer.ByteTokenizer}: 256 bytes + end of text. */
    public static final int BYTE_VOCAB_SIZE = 257;

    public GptConfig {
        requirePositive("vocab size", vocabSize);
        requirePositive("context length", contextLength);
        requirePositive("embedding size", embeddingSize);
        requirePositive("layers", layers);
        requirePositive("heads", heads);
        requirePositive("inner size", innerSize);
        if (embeddingSize % heads != 0) {
            throw new IllegalArgumentException(
                    "embedding size " + embeddingSize + " is not divisible by " + heads + " heads");
        }
        if (!(layerNormEpsilon > 0)) {
            throw new IllegalArgumentException(
                    "layer norm epsilon must be > 0, got " + layerNormEpsilon);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        requireTokenId("bos token id", bosTokenId, vocabSize);
        requireTokenId("eos token id", eosTokenId, vocabSize);
    }

    /**
     * 4 layers, 4 heads, 128 wide, 256 positions, byte vocabulary: about 0.8M parameters, for tests
     * and quick experiments.
     */
    public static GptConfig tiny() {
        return new GptConfig(BYTE_VOCAB_SIZE, 256, 128, 4, 4, 512, 1e-5f, 0f, 256, 256);
    }

    /** 6 layers, 6 heads, 384 wide, 512 positions, byte vocabulary: about 10.8M parameters. */
    public static GptConfig small() {
        return new GptConfig(BYTE_VOCAB_SIZE, 512, 384, 6, 6, 1536, 1e-5f, 0f, 256, 256);
    }

    /**
     * A preset by name.
     *
     * @throws IllegalArgumentException naming the value and the presets that exist
     */
    public static GptConfig preset(String name) {
        return switch (name) {
            case "tiny" -> tiny();
            case "small" -> small();
            default ->
                    throw new IllegalArgumentException(
                            "unknown GPT preset \"" + name + "\" (presets: tiny, small)");
        };
    }

    /** This config with another vocabulary and special tokens, e.g. for a tokenizer.json. */
    public GptConfig withVocabulary(int vocabSize, int bosTokenId, int eosTokenId) {
        return new GptConfig(
                vocabSize,
                contextLength,
                embeddingSize,
                layers,
                heads,
                innerSize,
                layerNormEpsilon,
                dropout,
                bosTokenId,
                eosTokenId);
    }

    /** This config with another dropout rate. */
    public GptConfig withDropout(float dropout) {
        return new GptConfig(
                vocabSize,
                contextLength,
                embeddingSize,
                layers,
                heads,
                innerSize,
                layerNormEpsilon,
                dropout,
                bosTokenId,
                eosTokenId);
    }

    /** Width of one attention head (C / H). */
    public int headSize() {
        return embeddingSize / heads;
    }

    /** Number of trainable parameters (the output layer is tied to the token embedding). */
    public long parameterCount() {
        long c = embeddingSize;
        long perBlock =
                2 * (2 * c)
                        + (c * 3 * c + 3 * c)
                        + (c * c + c)
                        + (c * innerSize + innerSize)
                        + ((long) innerSize * c + c);
        return (long) vocabSize * c + (long) contextLength * c + layers * perBlock + 2 * c;
    }

    private static void requirePositive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + value);
        }
    }

    private static void requireTokenId(String what, int id, int vocabSize) {
        if (id < -1 || id >= vocabSize) {
            throw new IllegalArgumentException(
                    what
                            + " "
                            + id
                            + " is outside the vocabulary [0, "
                            + vocabSize
                            + ") (-1 means none)");
        }
    }
}
