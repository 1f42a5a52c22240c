package io.belamy.core.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.belamy.core.gpt.BatchKvCache;
import io.belamy.core.gpt.Gpt;
import io.belamy.core.gpt.GptModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Continuous batching: many generations share each decode step of one model. A request joins
 * between steps ({@link #start}: its prompt is prefilled alone into a free row of a batch KV cache
 * and its first token sampled) and leaves as soon as it finishes, freeing its row for the next.
 * Each {@link #step()} runs the newest token of every running request through the model as one
 * batch, each at its own position with its own attention mask, then samples each request's next
 * token with its own sampler.
 *
 * <p>A request's tokens are the ones {@link TextGenerator} gives for the same model, prompt, params
 * and seed, whatever else runs beside it (up to float rounding in batched matrix products).
 *
 * <p>Not thread-safe: one thread starts requests and runs steps; listeners are called on it.
 */
public final class BatchGenerator implements AutoCloseable {

    /** Receives one request's output, on the thread that runs the generator. */
    public interface Listener {
        /** A new piece of text (never a split character, never part of a stop string). */
        void onText(String piece);

        /** The request finished. */
        void onDone(Generation generation);

        /** The request failed (the model failed); other requests go on. */
        void onError(RuntimeException error);
    }

    /**
     * A request.
     *
     * @param promptIds the prompt's tokens, already fitted to the context (see {@link
     *     TextGenerator#fitToContext})
     * @param seed the sampler's seed
     * @param startNanos when the request arrived ({@link System#nanoTime()}), for its timings
     */
    public record Request(
            int[] promptIds,
            SamplingParams params,
            long seed,
            long startNanos,
            Listener listener) {}

    private final GptModel model;
    private final Gpt gpt;
    private final NDManager manager;
    private final BatchKvCache cache;
    private final ParameterStore ps;
    private final List<Running> running = new ArrayList<>(); // index = cache row

    /**
     * @param maxBatch most requests running at once
     */
    public BatchGenerator(GptModel model, int maxBatch) {
        this.model = model;
        this.gpt = model.gpt();
        this.manager = model.manager().newSubManager();
        this.cache = gpt.newBatchCache(manager, maxBatch, gpt.config().contextLength());
        this.ps = new ParameterStore(manager, false);
    }

    public GptModel model() {
        return model;
    }

    /** Requests running. */
    public int running() {
        return running.size();
    }

    /** Most requests running at once. */
    public int maxBatch() {
        return cache.slots();
    }

    /** Whether {@link #start} can take a request now. */
    public boolean hasRoom() {
        return running.size() < cache.slots();
    }

    /** Requests {@link #start(List)} can take now. */
    public int room() {
        return cache.slots() - running.size();
    }

    /**
     * Starts a request: prefills its prompt and samples its first token, which reaches its listener
     * before this returns (as does the end, when one token was all it needed).
     *
     * @throws IllegalStateException when {@link #hasRoom()} is false
     */
    public void start(Request request) {
        start(List.of(request));
    }

    /**
     * Starts requests together: their prompts are prefilled in one batch (right-padded to the
     * longest) and each one's first token sampled and delivered before this returns.
     *
     * @throws IllegalStateException when there is room for fewer ({@link #room()})
     */
    public void start(List<Request> requests) {
        int k = requests.size();
        if (k == 0) {
            return;
        }
        if (k > room()) {
            throw new IllegalStateException(
                    k
                            + " requests but all "
                            + cache.slots()
                            + " rows are running, or all but "
                            + room());
        }
        int first = cache.rows();
        int longest = 0;
        int[] lengths = new int[k];
        for (int i = 0; i < k; i++) {
            cache.addRow();
            running.add(new Running(requests.get(i)));
            lengths[i] = requests.get(i).promptIds().length;
            longest = Math.max(longest, lengths[i]);
        }
        float[] all;
        int vocab = gpt.config().vocabSize();
        try (NDManager step = manager.newSubManager()) {
            long[] ids = new long[k * longest]; // right-padded with token 0
            long[] rows = new long[k];
            long[] last = new long[k];
            for (int i = 0; i < k; i++) {
                int[] prompt = requests.get(i).promptIds();
                for (int j = 0; j < prompt.length; j++) {
                    ids[i * longest + j] = prompt[j];
                }
                rows[i] = i;
                last[i] = lengths[i] - 1;
            }
            NDArray input = step.create(ids, new Shape(k, longest));
            NDArray hidden = gpt.prefill(ps, input, cache, first, lengths); // (k, T, C)
            NDArray ends = hidden.get(new NDIndex("{}, {}", step.create(rows), step.create(last)));
            all = gpt.logits(ps, ends, false).toFloatArray(); // (k, V)
        } catch (RuntimeException e) {
            for (int i = k - 1; i >= 0; i--) {
                cache.removeRow(first + i);
                running.remove(first + i).request.listener().onError(e);
            }
            return;
        }
        boolean[] done = new boolean[k];
        for (int i = 0; i < k; i++) {
            done[i] =
                    !running.get(first + i)
                            .advance(Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab));
        }
        for (int i = k - 1; i >= 0; i--) { // from the end: a moved row was already looked at
            if (done[i]) {
                removeAt(first + i);
            }
        }
    }

    private void removeAt(int row) {
        int moved = cache.removeRow(row);
        Running last = running.remove(running.size() - 1);
        if (moved >= 0) {
            running.set(row, last);
        }
    }

    /** One more token for every running request; finished requests leave. */
    public void step() {
        int n = running.size();
        if (n == 0) {
            return;
        }
        float[] all;
        int vocab = gpt.config().vocabSize();
        try (NDManager step = manager.newSubManager()) {
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) {
                ids[i] = running.get(i).pending;
            }
            NDArray input = step.create(ids, new Shape(n, 1));
            NDArray hidden = gpt.decode(ps, input, cache); // (n, 1, C)
            all = gpt.logits(ps, hidden, false).toFloatArray(); // (n, 1, V)
        } catch (RuntimeException e) {
            // the cache may be half written: every running request fails
            for (int i = n - 1; i >= 0; i--) {
                cache.removeRow(i);
                running.remove(i).request.listener().onError(e);
            }
            return;
        }
        boolean[] done = new boolean[n];
        for (int i = 0; i < n; i++) {
            done[i] = !running.get(i).advance(Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab));
        }
        for (int i = n - 1; i >= 0; i--) { // from the end: a moved row was already looked at
            if (done[i]) {
                removeAt(i);
            }
        }
    }

    /**
     * Frees the cache. Requests still running are dropped without a word to their listeners (the
     * owner is shutting down and knows which ones ran).
     */
    @Override
    public void close() {
        running.clear();
        manager.close();
    }

    private static long[] toLongs(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    /** One request's decoding state: the loop of {@link TextGenerator}, a token at a time. */
    private final class Running {
        final Request request;
        final Sampler sampler;
        final OutputText output;
        final int[] generated;
        final int eos;
        int count;
        int pending;
        long firstToken;

        Running(Request request) {
            this.request = request;
            int context = gpt.config().contextLength();
            int budget =
                    Math.min(request.params().maxTokens(), context - request.promptIds().length);
            this.sampler = new Sampler(request.params(), request.seed(), gpt.config().vocabSize());
            sampler.observe(request.promptIds());
            this.output =
                    new OutputText(
                            model.tokenizer(), request.params().stop(), request.listener()::onText);
            this.generated = new int[budget];
            this.eos = gpt.config().eosTokenId();
        }

        /**
         * Samples the next token from {@code logits}.
         *
         * @return true when the request goes on ({@link #pending} is the token to feed next)
         */
        boolean advance(float[] logits) {
            if (count == generated.length) {
                return finish(FinishReason.LENGTH);
            }
            int token = sampler.next(logits);
            if (count == 0) {
                firstToken = System.nanoTime() - request.startNanos();
            }
            if (token == eos) {
                return finish(FinishReason.EOS);
            }
            generated[count++] = token;
            sampler.observe(token);
            if (output.push(token)) {
                return finish(FinishReason.STOP);
            }
            if (count == generated.length) {
                return finish(FinishReason.LENGTH);
            }
            pending = token;
            return true;
        }

        private boolean finish(FinishReason reason) {
            output.finish();
            request.listener()
                    .onDone(
                            new Generation(
                                    output.text(),
                                    request.promptIds(),
                                    Arrays.copyOf(generated, count),
                                    reason,
                                    request.seed(),
                                    firstToken,
                                    System.nanoTime() - request.startNanos()));
            return false;
        }
    }
}
