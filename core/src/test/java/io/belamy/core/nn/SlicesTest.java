package io.belamy.core.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.belamy.core.Djl;
import org.junit.jupiter.api.Test;

/** {@link Slices} reads and writes the same elements as DJL's NDIndex. */
class SlicesTest {

    @Test
    void viewIsTheBoxOfTheLeadingDimensionsAndSharesStorage() {
        try (NDManager m = Djl.newManager()) {
            NDArray a = m.arange(2 * 3 * 4 * 5f).reshape(2, 3, 4, 5);
            NDArray view = Slices.view(a, m, new long[] {1, 0, 1}, new long[] {2, 3, 3});
            assertThat(view.getShape()).isEqualTo(new Shape(1, 3, 2, 5));
            assertThat(view.toFloatArray())
                    .containsExactly(a.get(new NDIndex("1:2, 0:3, 1:3")).toFloatArray());
            a.muli(2); // a view, not a copy: it sees the change
            assertThat(view.toFloatArray())
                    .containsExactly(a.get(new NDIndex("1:2, 0:3, 1:3")).toFloatArray());
        }
    }

    @Test
    void writeCopiesIntoTheBoxOnly() {
        try (NDManager m = Djl.newManager()) {
            NDArray ours = m.zeros(new Shape(2, 3, 4));
            NDArray theirs = m.zeros(new Shape(2, 3, 4));
            NDArray value = m.arange(6f).reshape(2, 3, 1);
            Slices.write(ours, new long[] {0, 0, 2}, new long[] {2, 3, 3}, value);
            theirs.set(new NDIndex(":, :, 2:3"), value);
            assertThat(ours.toFloatArray()).containsExactly(theirs.toFloatArray());
            assertThat(ours.sum().getFloat()).isEqualTo(15f);
        }
    }

    @Test
    void boundsOutsideTheArrayAreRejectedNamingThem() {
        try (NDManager m = Djl.newManager()) {
            NDArray a = m.zeros(new Shape(2, 3));
            assertThatThrownBy(() -> Slices.view(a, m, new long[] {0, 1}, new long[] {2, 4}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("[1, 4) of dimension 1")
                    .hasMessageContaining("(2, 3)");
            assertThatThrownBy(() -> Slices.view(a, m, new long[] {0}, new long[] {2, 3}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("do not fit");
            assertThatThrownBy(() -> Slices.write(a, new long[] {0, 0, 0}, new long[] {1, 1, 1}, a))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
