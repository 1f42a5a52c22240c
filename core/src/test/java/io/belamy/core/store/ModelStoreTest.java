package io.belamy.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {

    @TempDir Path root;

    private static void files(Path dir, String content) throws java.io.IOException {
        Files.writeString(dir.resolve("config.json"), content);
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub").resolve("x.txt"), "x");
    }

    @Test
    void versionsAppearWholeAndAreListedInOrder() throws Exception {
        ModelStore store = ModelStore.at(root.toString());
        assertThat(store.versions("m")).isEmpty();
        assertThat(store.latest("m")).isEmpty();
        assertThat(store.names()).isEmpty();

        String v2 = store.write("m", 2, d -> files(d, "two"));
        String v10 = store.write("m", 10, d -> files(d, "ten"));
        store.write("other", 1, d -> files(d, "o"));

        assertThat(v2).isEqualTo(root.resolve("m/v2").toUri().toString());
        assertThat(store.versionUri("m", 10)).isEqualTo(v10);
        assertThat(store.versions("m")).containsExactly(2L, 10L);
        assertThat(store.latest("m")).contains(10L);
        assertThat(store.names()).containsExactly("m", "other");
        assertThat(ModelStore.localCopy(v10)).isEqualTo(root.resolve("m/v10"));
        assertThat(store.localCopy("m", 2)).isEqualTo(root.resolve("m/v2"));
        assertThat(root.resolve("m/v2/sub/x.txt")).hasContent("x");
        // nothing written aside is left behind
        try (Stream<Path> entries = Files.list(root.resolve("m"))) {
            assertThat(entries.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("v2", "v10");
        }
    }

    @Test
    void rewritingAVersionReplacesItAndAFailedWriteLeavesNothing() throws Exception {
        ModelStore store = ModelStore.at(root);
        store.write("m", 1, d -> files(d, "first"));
        store.write("m", 1, d -> Files.writeString(d.resolve("config.json"), "second"));
        assertThat(root.resolve("m/v1/config.json")).hasContent("second");
        assertThat(root.resolve("m/v1/sub")).doesNotExist();

        assertThatThrownBy(
                        () ->
                                store.write(
                                        "m",
                                        2,
                                        d -> {
                                            files(d, "half");
                                            throw new java.io.IOException("disk full");
                                        }))
                .hasMessage("disk full");
        assertThat(store.versions("m")).containsExactly(1L);
        try (Stream<Path> entries = Files.list(root.resolve("m"))) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("v1");
        }
    }

    @Test
    void checkpointStateIsWrittenAndReadBack() throws Exception {
        ModelStore store = ModelStore.at("file://" + root.toAbsolutePath());
        byte[] data = "weights".getBytes(StandardCharsets.UTF_8);
        String where = store.writeCheckpoint("m", 7, data);
        assertThat(Path.of(where)).isEqualTo(root.resolve("m/checkpoints/chk-7.safetensors"));
        assertThat(ModelStore.read(where)).isEqualTo(data);
        assertThat(store.versions("m")).isEmpty(); // checkpoints are not versions
    }

    @Test
    void locationsAreTold() {
        assertThat(ModelStore.isRemote("/var/models")).isFalse();
        assertThat(ModelStore.isRemote("models")).isFalse();
        assertThat(ModelStore.isRemote("file:///var/models")).isFalse();
        assertThat(ModelStore.isRemote("C:\\models")).isFalse();
        assertThat(ModelStore.isRemote("s3://bucket/models")).isTrue();
        assertThat(ModelStore.isRemote("hdfs://nn:8020/models")).isTrue();
        assertThat(ModelStore.versionOf("v12")).isEqualTo(12);
        assertThat(ModelStore.versionOf("v")).isEqualTo(-1);
        assertThat(ModelStore.versionOf(".v3-tmp")).isEqualTo(-1);
        assertThat(ModelStore.isName("austen-gpt.2")).isTrue();
        assertThat(ModelStore.isName(".hidden")).isFalse();
    }

    @Test
    void badNamesAndUnservedSchemesAreRefusedByName() {
        ModelStore store = ModelStore.at(root);
        assertThatThrownBy(() -> store.versions("../etc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"../etc\"");
        // core alone has no file system for s3: (belamy-streaming brings Flink's)
        assertThatThrownBy(() -> ModelStore.at("s3://bucket/models"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("s3://bucket/models")
                .hasMessageContaining("belamy-streaming");
    }
}
