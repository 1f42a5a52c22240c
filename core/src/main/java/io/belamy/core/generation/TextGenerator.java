package io.belamy.core.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.belamy.core.gpt.Gpt;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.gpt.KvCache;
import io.belamy.core.nn.Slices;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Generates text from a prompt with a {@link GptModel}, one token at a time, streaming text as it
 * is produced.
 *
 * <p>With the KV cache (the default) the prompt is run once and each step feeds only the newest
 * token; without it every step reruns the whole sequence (slower; kept for comparison). Each step's
 * arrays live in their own sub-manager, closed after the step. Not thread-safe: one generator per
 * thread.
 */
public final class TextGenerator {

    private final GptModel model;
    private final boolean useKvCache;

    /** A generator using the KV cache. */
    public TextGenerator(GptModel model) {
        this(model, true);
    }

    public TextGenerator(GptModel model, boolean useKvCache) {
        this.model = model;
        this.useKvCache = useKvCache;
    }

    /**
     * Continues {@code prompt}.
     *
     * @param onText receives each new piece of text, never splitting a character or showing any
     *     part of a stop string
     * @throws IllegalArgumentException when the prompt is empty, or too long for the context and
     *     {@code params} does not allow truncation
     */
    public Generation generate(String prompt, SamplingParams params, Consumer<String> onText) {
        long start = System.nanoTime();
        int[] promptIds = fitToContext(model.tokenizer().encode(prompt), params);
        return generate(promptIds, params, onText, start);
    }

    /**
     * Continues already tokenized input (see {@link #generate(String, SamplingParams, Consumer)}).
     */
    public Generation generate(
            int[] promptIds, SamplingParams params, Consumer<String> onText, long startNanos) {
        Gpt gpt = model.gpt();
        int context = gpt.config().contextLength();
        int budget = Math.min(params.maxTokens(), context - promptIds.length);
        long seed = params.seed() != null ? params.seed() : ThreadLocalRandom.current().nextLong();
        Sampler sampler = new Sampler(params, seed, gpt.config().vocabSize());
        sampler.observe(promptIds);
        OutputText output = new OutputText(model.tokenizer(), params.stop(), onText);
        int eos = gpt.config().eosTokenId();

        int[] generated = new int[budget];
        int count = 0;
        long firstToken = 0;
        FinishReason reason = FinishReason.LENGTH;
        try (NDManager manager = model.manager().newSubManager();
                KvCache cache =
                        useKvCache ? gpt.newCache(manager, 1, promptIds.length + budget) : null) {
            ParameterStore ps = new ParameterStore(manager, false);
            float[] logits = lastLogits(ps, manager, promptIds, cache);
            while (count < budget) {
                int token = sampler.next(logits);
                if (count == 0) {
                    firstToken = System.nanoTime() - startNanos;
                }
                if (token == eos) {
                    reason = FinishReason.EOS;
                    break;
                }
                generated[count++] = token;
                sampler.observe(token);
                if (output.push(token)) {
                    reason = FinishReason.STOP;
                    break;
                }
                if (count < budget) {
                    int[] input =
                            cache != null
                                    ? new int[] {token}
                                    : concat(promptIds, Arrays.copyOf(generated, count));
                    logits = lastLogits(ps, manager, input, cache);
                }
            }
        }
        output.finish();
        return new Generation(
                output.text(),
                promptIds,
                Arrays.copyOf(generated, count),
                reason,
                seed,
                firstToken,
                System.nanoTime() - startNanos);
    }

    /**
     * Applies the context limit: a prompt must leave room for at least one new token.
     *
     * @throws IllegalArgumentException naming both lengths when it does not and truncation is off
     */
    int[] fitToContext(int[] ids, SamplingParams params) {
        return fitToContext(model.config(), ids, params);
    }

    /** {@link #fitToContext(int[], SamplingParams)} for a model of {@code config}. */
    public static int[] fitToContext(
            io.belamy.core.gpt.GptConfig config, int[] ids, SamplingParams params) {
        int context = config.contextLength();
        if (ids.length == 0) {
            int bos = config.bosTokenId();
            if (bos < 0) {
                throw new IllegalArgumentException(
                        "prompt is empty and the model has no beginning-of-text token");
            }
            return new int[] {bos};
        }
        if (ids.length < context) {
            return ids;
        }
        if (params.truncation() == Truncation.NONE) {
            throw new IllegalArgumentException(
                    "prompt has "
                            + ids.length
                            + " tokens but the model's context is "
                            + context
                            + " tokens, which must include at least 1 new token; shorten it or"
                            + " allow truncation (keeps the last tokens)");
        }
        int keep = Math.max(1, context - Math.min(params.maxTokens(), context / 2));
        return Arrays.copyOfRange(ids, ids.length - keep, ids.length);
    }

    /** Runs the model on {@code ids} and returns the logits of the last position. */
    private float[] lastLogits(ParameterStore ps, NDManager parent, int[] ids, KvCache cache) {
        try (NDManager step = parent.newSubManager()) {
            long[] longs = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                longs[i] = ids[i];
            }
            NDArray input = step.create(longs, new Shape(1, ids.length)); // (1, T)
            Gpt gpt = model.gpt();
            NDArray hidden = gpt.hidden(ps, input, cache, false); // (1, T, C)
            long t = ids.length;
            NDArray last = Slices.view(hidden, step, new long[] {0, t - 1}, new long[] {1, t});
            return gpt.logits(ps, last, false).toFloatArray(); // (1, 1, V)
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
