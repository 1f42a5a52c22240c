package io.belamy.core.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.belamy.core.nn.Slices;

/**
 * Keys and values of the positions a model has already seen, for every layer, so each decode step
 * only computes the new token.
 *
 * <p>Arrays are allocated once at full capacity, (B, H, S, C/H) per layer, and filled in place; the
 * cache owns them until {@link #close()}. Positions [0, {@link #length()}) are valid.
 */
public final class KvCache implements AttentionCache, AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int batch;
    private final int capacity;
    private int length;

    KvCache(NDManager parent, GptConfig config, int batch, int capacity) {
        if (batch < 1) {
            throw new IllegalArgumentException("cache batch must be >= 1, got " + batch);
        }
        if (capacity < 1 || capacity > config.contextLength()) {
            throw new IllegalArgumentException(
                    "cache capacity "
                            + capacity
                            + " must be in [1, context length "
                            + config.contextLength()
                            + "]");
        }
        this.manager = parent.newSubManager();
        this.batch = batch;
        this.capacity = capacity;
        this.keys = new NDArray[config.layers()];
        this.values = new NDArray[config.layers()];
        Shape shape = new Shape(batch, config.heads(), capacity, config.headSize());
        for (int i = 0; i < config.layers(); i++) {
            keys[i] = manager.zeros(shape, DataType.FLOAT32);
            values[i] = manager.zeros(shape, DataType.FLOAT32);
        }
    }

    /** Number of positions cached. */
    public int length() {
        return length;
    }

    /** Number of positions the cache can hold. */
    public int capacity() {
        return capacity;
    }

    /** Number of sequences cached side by side. */
    public int batch() {
        return batch;
    }

    /**
     * Stores one layer's keys and values for new positions, (B, H, T, C/H) each, after the cached
     * ones, and returns keys and values of all positions so far, (B, H, length + T, C/H), attached
     * to the manager of {@code k}.
     */
    @Override
    public NDArray[] append(int layer, NDArray k, NDArray v) {
        int t = Math.toIntExact(k.getShape().get(2));
        int end = length + t;
        if (end > capacity) {
            throw new IllegalStateException(
                    "KV cache full: " + length + " + " + t + " positions > capacity " + capacity);
        }
        long b = batch;
        long h = k.getShape().get(1);
        long[] fresh = {0, 0, length};
        long[] freshEnd = {b, h, end};
        Slices.write(keys[layer], fresh, freshEnd, k); // [:, :, length:end] = new positions
        Slices.write(values[layer], fresh, freshEnd, v);
        long[] all = {0, 0, 0};
        NDManager into = k.getManager();
        return new NDArray[] { // [:, :, :end]
            Slices.view(keys[layer], into, all, freshEnd),
            Slices.view(values[layer], into, all, freshEnd)
        };
    }

    /** Marks {@code t} more positions valid, after every layer has appended them. */
    void advance(int t) {
        length += t;
    }

    /** Forgets every position; the arrays are kept for reuse. */
    public void reset() {
        length = 0;
    }

    @Override
    public void close() {
        manager.close();
    }
}
