package io.belamy.core.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.belamy.core.nn.Slices;

/**
 * Keys and values of up to {@code slots} independent sequences, each with its own length: the cache
 * of continuous batching. A sequence is prefilled alone into a new row, then decoded one token per
 * step together with every other live row; a finished sequence's row is taken by the last row, so
 * live rows are always [0, {@link #rows()}) and a decode step attends over one strided view of
 * them.
 *
 * <p>Arrays are allocated once, (slots, H, capacity, C/H) per layer, and filled in place; the cache
 * owns them until {@link #close()}.
 */
public final class BatchKvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int slots;
    private final int capacity;
    private final int[] lengths;
    private int rows;

    BatchKvCache(NDManager parent, GptConfig config, int slots, int capacity) {
        if (slots < 1) {
            throw new IllegalArgumentException("cache slots must be >= 1, got " + slots);
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
        this.slots = slots;
        this.capacity = capacity;
        this.lengths = new int[slots];
        this.keys = new NDArray[config.layers()];
        this.values = new NDArray[config.layers()];
        Shape shape = new Shape(slots, config.heads(), capacity, config.headSize());
        for (int i = 0; i < config.layers(); i++) {
            keys[i] = manager.zeros(shape, DataType.FLOAT32);
            values[i] = manager.zeros(shape, DataType.FLOAT32);
        }
    }

    /** Live rows. */
    public int rows() {
        return rows;
    }

    /** Most rows at once. */
    public int slots() {
        return slots;
    }

    /** Most positions per row. */
    public int capacity() {
        return capacity;
    }

    /** Positions cached in {@code row}. */
    public int length(int row) {
        checkRow(row);
        return lengths[row];
    }

    /**
     * Takes a new, empty row.
     *
     * @return its index, {@link #rows()} before the call
     * @throws IllegalStateException when every slot is taken
     */
    public int addRow() {
        if (rows == slots) {
            throw new IllegalStateException("all " + slots + " cache rows are taken");
        }
        lengths[rows] = 0;
        return rows++;
    }

    /**
     * Frees {@code row}: the last row moves into its place (copying its cached positions), so live
     * rows stay contiguous.
     *
     * @return the former index of the row that moved into {@code row}, or -1 when {@code row} was
     *     the last
     */
    public int removeRow(int row) {
        checkRow(row);
        int last = rows - 1;
        rows--;
        if (row == last) {
            return -1;
        }
        int length = lengths[last];
        if (length > 0) {
            long h = keys[0].getShape().get(1);
            long[] to = {row, 0, 0}; // [row, :, :length] = [last, :, :length]
            long[] toEnd = {row + 1, h, length};
            long[] from = {last, 0, 0};
            long[] fromEnd = {last + 1, h, length};
            for (int layer = 0; layer < keys.length; layer++) {
                try (NDArray k = Slices.view(keys[layer], manager, from, fromEnd);
                        NDArray v = Slices.view(values[layer], manager, from, fromEnd)) {
                    Slices.write(keys[layer], to, toEnd, k);
                    Slices.write(values[layer], to, toEnd, v);
                }
            }
        }
        lengths[row] = length;
        return last;
    }

    /**
     * A cache for prefilling {@code t} positions of the {@code k} empty rows from {@code first}
     * (sequences shorter than {@code t} are right-padded: their padding is written but never
     * attended to, see {@link #advance}).
     */
    AttentionCache prefill(int first, int k, int t) {
        for (int row = first; row < first + k; row++) {
            checkRow(row);
            if (lengths[row] != 0) {
                throw new IllegalStateException("row " + row + " is not empty");
            }
            checkRoom(row, t);
        }
        long h = keys[0].getShape().get(1);
        long[] fresh = {first, 0, 0}; // [first:first + k, :, :t]
        long[] freshEnd = {first + k, h, t};
        return (layer, keysNew, valuesNew) -> {
            Slices.write(keys[layer], fresh, freshEnd, keysNew);
            Slices.write(values[layer], fresh, freshEnd, valuesNew);
            // views of what was written, as the decode path returns (the caller closes its own)
            NDManager into = keysNew.getManager();
            return new NDArray[] {
                Slices.view(keys[layer], into, fresh, freshEnd),
                Slices.view(values[layer], into, fresh, freshEnd)
            };
        };
    }

    /**
     * A cache for one new position of every live row, written at each row's own length; attention
     * sees positions up to the longest row (the caller masks each row's unused tail).
     */
    AttentionCache decode(NDManager step) {
        for (int r = 0; r < rows; r++) {
            checkRoom(r, 1);
        }
        long[] rowIds = new long[rows];
        long[] positions = new long[rows];
        int longest = 0;
        for (int r = 0; r < rows; r++) {
            rowIds[r] = r;
            positions[r] = lengths[r];
            longest = Math.max(longest, lengths[r] + 1);
        }
        NDArray rowIndex = step.create(rowIds);
        NDArray positionIndex = step.create(positions);
        long[] live = {0, 0, 0};
        long[] liveEnd = {rows, keys[0].getShape().get(1), longest};
        // rows and positions are advanced indices around a slice: the target is (n, H, C/H)
        NDIndex fresh = new NDIndex("{}, :, {}", rowIndex, positionIndex);
        return (layer, k, v) -> {
            try (NDArray k1 = k.squeeze(2);
                    NDArray v1 = v.squeeze(2)) {
                keys[layer].set(fresh, k1);
                values[layer].set(fresh, v1);
            }
            NDManager into = k.getManager(); // [:n, :, :span]
            return new NDArray[] {
                Slices.view(keys[layer], into, live, liveEnd),
                Slices.view(values[layer], into, live, liveEnd)
            };
        };
    }

    /** Lengths of the live rows, before a decode step. */
    int[] lengths() {
        return java.util.Arrays.copyOf(lengths, rows);
    }

    /** Marks {@code t} more positions of {@code row} valid. */
    void advance(int row, int t) {
        lengths[row] += t;
    }

    /** Marks one more position of every live row valid, after a decode step. */
    void advanceAll() {
        for (int r = 0; r < rows; r++) {
            lengths[r]++;
        }
    }

    private void checkRow(int row) {
        if (row < 0 || row >= rows) {
            throw new IllegalArgumentException("row " + row + " is not live (rows: " + rows + ")");
        }
    }

    private void checkRoom(int row, int t) {
        if (lengths[row] + t > capacity) {
            throw new IllegalStateException(
                    "KV cache row "
                            + row
                            + " full: "
                            + lengths[row]
                            + " + "
                            + t
                            + " positions > capacity "
                            + capacity);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
