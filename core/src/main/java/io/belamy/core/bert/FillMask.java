package io.belamy.core.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fills {@code [MASK]} tokens with a BERT model.
 *
 * <p>For every mask, {@code candidates} are the top-k tokens of one pass over the text as given
 * (what Hugging Face's fill-mask pipeline reports). The returned {@code text} fills the masks left
 * to right, each with the most likely token given the masks already filled before it, so several
 * masks read as one coherent fill.
 *
 * <pre>{@code
 * new FillMask(model).fill("paris is the [MASK] of france.", 3)
 * // text "paris is the capital of france.", masks[0].candidates: capital 0.91, ...
 * }</pre>
 */
public final class FillMask {

    /** A token proposed for a mask, with its probability there. */
    public record Candidate(int tokenId, String token, float score) {}

    /** One mask: its token position, its top-k candidates, and the token that filled it. */
    public record Mask(int position, List<Candidate> candidates, Candidate filled) {}

    /** The filled text and each mask's details, left to right. */
    public record Result(String text, List<Mask> masks) {}

    private final BertModel model;

    public FillMask(BertModel model) {
        this.model = model;
    }

    /**
     * Fills every mask of {@code text}.
     *
     * @throws IllegalArgumentException when the text has no mask, {@code topK} is out of range, or
     *     the text is too long for the model
     */
    public Result fill(String text, int topK) {
        if (topK < 1 || topK > model.config().vocabSize()) {
            throw new IllegalArgumentException(
                    "top-k must be in [1, " + model.config().vocabSize() + "], got " + topK);
        }
        int[] ids = model.tokenizer().encode(text);
        int[] positions = positionsOf(ids, model.maskId());
        if (positions.length == 0) {
            throw new IllegalArgumentException(
                    "text has no " + BertModel.MASK + " token: \"" + text + "\"");
        }
        if (ids.length > model.config().maxPositions()) {
            throw new IllegalArgumentException(
                    "text has "
                            + ids.length
                            + " tokens, more than the model's "
                            + model.config().maxPositions()
                            + " positions");
        }
        float[][] joint = probabilities(ids, positions);
        int[] filledIds = ids.clone();
        List<Mask> masks = new ArrayList<>();
        for (int m = 0; m < positions.length; m++) {
            float[] here =
                    m == 0 ? joint[0] : probabilities(filledIds, new int[] {positions[m]})[0];
            Candidate best = top(here, 1).get(0);
            filledIds[positions[m]] = best.tokenId();
            masks.add(new Mask(positions[m], top(joint[m], topK), best));
        }
        return new Result(model.tokenizer().decode(filledIds), masks);
    }

    /** Softmax over the vocabulary at each of {@code positions}. */
    private float[][] probabilities(int[] ids, int[] positions) {
        try (NDManager m = model.manager().newSubManager()) {
            long[] longs = Arrays.stream(ids).asLongStream().toArray();
            NDArray input = m.create(longs, new Shape(1, ids.length));
            NDArray logits =
                    model.bert()
                            .forward(
                                    new ParameterStore(m, false),
                                    input,
                                    null,
                                    null,
                                    false); // (1, T, V)
            float[][] out = new float[positions.length][];
            for (int i = 0; i < positions.length; i++) {
                out[i] = logits.get(0, positions[i]).softmax(-1).toFloatArray();
            }
            return out;
        }
    }

    private List<Candidate> top(float[] probs, int k) {
        Integer[] order = new Integer[probs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(
                order,
                (a, b) ->
                        probs[a] != probs[b]
                                ? Float.compare(probs[b], probs[a])
                                : Integer.compare(a, b));
        List<Candidate> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            int id = order[i];
            out.add(new Candidate(id, model.tokenizer().decode(new int[] {id}).strip(), probs[id]));
        }
        return out;
    }

    private static int[] positionsOf(int[] ids, int token) {
        return java.util.stream.IntStream.range(0, ids.length)
                .filter(i -> ids[i] == token)
                .toArray();
    }
}
