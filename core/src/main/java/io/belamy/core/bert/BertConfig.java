package io.belamy.core.bert;

import io.belamy.core.tokenizer.ByteMlmVocabulary;

/**
 * Hyperparameters of a BERT masked language model ({@code BertForMaskedLM}).
 *
 * <p>Hugging Face names: {@code vocab_size}, {@code max_position_embeddings}, {@code hidden_size},
 * {@code num_hidden_layers}, {@code num_attention_heads}, {@code intermediate_size}, {@code
 * type_vocab_size}, {@code layer_norm_eps}, {@code hidden_dropout_prob}, {@code
 * attention_probs_dropout_prob}, {@code pad_token_id}.
 *
 * @param vocabSize number of token ids (V)
 * @param maxPositions longest sequence, special tokens included
 * @param hiddenSize width of the hidden states (C)
 * @param layers number of encoder layers
 * @param heads attention heads (H); must divide {@code hiddenSize}
 * @param intermediateSize width of each layer's feed-forward hidden layer
 * @param typeVocabSize number of token types (segments)
 * @param layerNormEpsilon epsilon of every LayerNorm
 * @param dropout dropout on embeddings and residual branches in training
 * @param attentionDropout dropout on attention weights in training
 * @param padTokenId id of the padding token
 */
public record BertConfig(
        int vocabSize,
        int maxPositions,
        int hiddenSize,
        int layers,
        int heads,
        int intermediateSize,
        int typeVocabSize,
        float layerNormEpsilon,
        float dropout,
        float attentionDropout,
        int padTokenId) {

    public BertConfig {
        positive("vocab size", vocabSize);
        positive("max positions", maxPositions);
        positive("hidden size", hiddenSize);
        positive("layers", layers);
        positive("heads", heads);
        positive("intermediate size", intermediateSize);
        positive("type vocab size", typeVocabSize);
        if (hiddenSize % heads != 0) {
            throw new IllegalArgumentException(
                    "hidden size " + hiddenSize + " is not divisible by " + heads + " heads");
        }
        if (!(layerNormEpsilon > 0)) {
            throw new IllegalArgumentException(
                    "layer norm epsilon must be > 0, got " + layerNormEpsilon);
        }
        rate("dropout", dropout);
        rate("attention dropout", attentionDropout);
        if (padTokenId < 0 || padTokenId >= vocabSize) {
            throw new IllegalArgumentException(
                    "pad token id "
                            + padTokenId
                            + " is outside the vocabulary [0, "
                            + vocabSize
                            + ")");
        }
    }

    /** 4 layers, 4 heads, 128 wide, 256 positions; vocabulary of {@link ByteMlmVocabulary}. */
    public static BertConfig tiny() {
        return new BertConfig(
                ByteMlmVocabulary.SIZE,
                256,
                128,
                4,
                4,
                512,
                2,
                1e-12f,
                0.1f,
                0.1f,
                ByteMlmVocabulary.PAD);
    }

    /** 6 layers, 6 heads, 384 wide, 512 positions; vocabulary of {@link ByteMlmVocabulary}. */
    public static BertConfig small() {
        return new BertConfig(
                ByteMlmVocabulary.SIZE,
                512,
                384,
                6,
                6,
                1536,
                2,
                1e-12f,
                0.1f,
                0.1f,
                ByteMlmVocabulary.PAD);
    }

    /**
     * A preset by name.
     *
     * @throws IllegalArgumentException naming the value and the presets that exist
     */
    public static BertConfig preset(String name) {
        return switch (name) {
            case "tiny" -> tiny();
            case "small" -> small();
            default ->
                    throw new IllegalArgumentException(
                            "unknown BERT preset \"" + name + "\" (presets: tiny, small)");
        };
    }

    /** This config with another vocabulary (for a tokenizer.json) and pad token. */
    public BertConfig withVocabulary(int vocabSize, int padTokenId) {
        return new BertConfig(
                vocabSize,
                maxPositions,
                hiddenSize,
                layers,
                heads,
                intermediateSize,
                typeVocabSize,
                layerNormEpsilon,
                dropout,
                attentionDropout,
                padTokenId);
    }

    /** Width of one attention head (C / H). */
    public int headSize() {
        return hiddenSize / heads;
    }

    private static void positive(String what, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + v);
        }
    }

    private static void rate(String what, float v) {
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException(what + " must be in [0, 1), got " + v);
        }
    }
}
