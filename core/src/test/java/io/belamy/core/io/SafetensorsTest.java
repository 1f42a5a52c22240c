package io.belamy.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir Path dir;

    @Test
    void writeThenReadGivesTheSameTensorsInOrder() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put(
                "b.weight", Tensor.ofFloats(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, -6.5f}));
        tensors.put("a.ids", Tensor.ofLongs(new long[] {3}, new long[] {7, -1, Long.MAX_VALUE}));
        tensors.put("scalar", Tensor.ofFloats(new long[] {}, new float[] {42}));
        Path file = dir.resolve("t.safetensors");

        Safetensors.write(file, tensors);
        Map<String, Tensor> read = Safetensors.read(file);

        assertThat(read.keySet()).containsExactly("b.weight", "a.ids", "scalar");
        assertThat(read).isEqualTo(tensors);
        assertThat(read.get("b.weight").toFloats()).containsExactly(1, 2, 3, 4, 5, -6.5f);
        assertThat(read.get("a.ids").toLongs()).containsExactly(7, -1, Long.MAX_VALUE);
        long headerLength =
                ByteBuffer.wrap(Files.readAllBytes(file), 0, 8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .getLong();
        assertThat(headerLength % 8).as("header padded to 8 bytes").isZero();
    }

    @Test
    void halfPrecisionWidensToFloat32Exactly() {
        // f16: 1.0, -2.5, 65504 (max), smallest subnormal 2^-24, +inf
        short[] f16 = {0x3C00, (short) 0xC100, 0x7BFF, 0x0001, 0x7C00};
        Tensor half = new Tensor(DType.F16, new long[] {5}, shorts(f16));
        assertThat(half.toFloats())
                .containsExactly(1f, -2.5f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY);

        // bf16: the top 16 bits of float32 1.0, -2.5, 3.140625
        short[] bf16 = {0x3F80, (short) 0xC020, 0x4049};
        Tensor brain = new Tensor(DType.BF16, new long[] {3}, shorts(bf16));
        assertThat(brain.toFloats()).containsExactly(1f, -2.5f, 3.140625f);
    }

    @Test
    void everyHalfValueWidensLikeTheHardwareConversion() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float expected = referenceHalfToFloat(bits);
            float actual = Tensor.halfToFloat((short) bits);
            if (Float.isNaN(expected)) {
                assertThat(actual).isNaN();
            } else {
                assertThat(Float.floatToIntBits(actual))
                        .as("f16 bits %04x", bits)
                        .isEqualTo(Float.floatToIntBits(expected));
            }
        }
    }

    /** Widening by the definition: (-1)^s * 2^(e-15) * (1 + m/1024), subnormals 2^-14 * m/1024. */
    private static float referenceHalfToFloat(int bits) {
        int s = bits >> 15;
        int e = (bits >> 10) & 0x1f;
        int m = bits & 0x3ff;
        double sign = s == 0 ? 1 : -1;
        if (e == 0x1f) {
            return m == 0 ? (float) (sign * Double.POSITIVE_INFINITY) : Float.NaN;
        }
        if (e == 0) {
            return (float) (sign * Math.scalb(m / 1024.0, -14));
        }
        return (float) (sign * Math.scalb(1 + m / 1024.0, e - 15));
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("nope.safetensors");
        assertThatThrownBy(() -> Safetensors.read(missing))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void truncatedFileIsRejectedWithItsName() throws IOException {
        Path file = dir.resolve("t.safetensors");
        Safetensors.write(
                file, Map.of("w", Tensor.ofFloats(new long[] {4}, new float[] {1, 2, 3, 4})));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 4));

        assertThatThrownBy(() -> Safetensors.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("\"w\"")
                .hasMessageContaining("truncated");
    }

    @Test
    void garbageIsNotSafetensors() throws IOException {
        Path file = dir.resolve("x.safetensors");
        Files.writeString(file, "definitely not a checkpoint");
        assertThatThrownBy(() -> Safetensors.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("header length");

        Path tiny = dir.resolve("y.safetensors");
        Files.write(tiny, new byte[] {1, 2});
        assertThatThrownBy(() -> Safetensors.read(tiny))
                .hasMessageContaining("not a safetensors file");
    }

    @Test
    void unknownDtypeIsNamed() throws IOException {
        String header = "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}";
        Path file = dir.resolve("f8.safetensors");
        ByteBuffer b = ByteBuffer.allocate(8 + header.length() + 1).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length()).put(header.getBytes(StandardCharsets.UTF_8)).put((byte) 0);
        Files.write(file, b.array());
        assertThatThrownBy(() -> Safetensors.read(file)).hasMessageContaining("F8_E4M3");
    }

    @Test
    void tensorBytesMustMatchItsShape() {
        assertThatThrownBy(() -> new Tensor(DType.F32, new long[] {2, 2}, ByteBuffer.allocate(12)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[2, 2]")
                .hasMessageContaining("needs 16 bytes but has 12");
    }

    @Test
    void shardedCheckpointReadsEveryShard() throws IOException {
        Safetensors.write(
                dir.resolve("model-00001-of-00002.safetensors"),
                Map.of("a", Tensor.ofFloats(new long[] {1}, new float[] {1})));
        Safetensors.write(
                dir.resolve("model-00002-of-00002.safetensors"),
                Map.of("b", Tensor.ofFloats(new long[] {1}, new float[] {2})));
        Files.writeString(
                dir.resolve(Safetensors.INDEX_FILE),
                "{\"metadata\":{},\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\","
                        + "\"b\":\"model-00002-of-00002.safetensors\"}}");

        Map<String, Tensor> all = Safetensors.readModel(dir);
        assertThat(all.keySet()).containsExactly("a", "b");
        assertThat(all.get("b").toFloats()).containsExactly(2f);
    }

    private static ByteBuffer shorts(short[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : values) {
            b.putShort(v);
        }
        return b.flip();
    }
}
