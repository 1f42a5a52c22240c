package io.belamy.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.belamy.core.store.ModelStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store through Flink's FileSystem API, here on Flink's local file system (RemoteModelStoreIT
 * runs it end to end on a file system only Flink reaches).
 */
class FileSystemModelStoreTest {

    @TempDir Path root;
    @TempDir Path cache;

    @BeforeEach
    void useCache() {
        System.setProperty("belamy.store.cache", cache.toString());
    }

    @AfterEach
    void clearCache() {
        System.clearProperty("belamy.store.cache");
    }

    private ModelStore store() {
        return new FileSystemModelStore(root.toUri());
    }

    @Test
    void versionsAreUploadedWholeAndListed() throws Exception {
        ModelStore store = store();
        assertThat(store.versions("m")).isEmpty();
        assertThat(store.names()).isEmpty();
        String v1 =
                store.write(
                        "m",
                        1,
                        d -> {
                            Files.writeString(d.resolve("config.json"), "{}");
                            Files.createDirectories(d.resolve("sub"));
                            Files.writeString(d.resolve("sub").resolve("x.txt"), "x");
                        });
        store.write("m", 3, d -> Files.writeString(d.resolve("config.json"), "{\"v\":3}"));
        store.write("n", 1, d -> Files.writeString(d.resolve("config.json"), "{}"));

        assertThat(v1).isEqualTo(store.versionUri("m", 1)).endsWith("/m/v1");
        assertThat(root.resolve("m/v1/config.json")).hasContent("{}");
        assertThat(root.resolve("m/v1/sub/x.txt")).hasContent("x");
        assertThat(store.versions("m")).containsExactly(1L, 3L);
        assertThat(store.latest("m")).contains(3L);
        assertThat(store.names()).containsExactly("m", "n");
        try (Stream<Path> entries = Files.list(root.resolve("m"))) {
            assertThat(entries.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("v1", "v3");
        }
        // a replayed version replaces the earlier copy
        store.write("m", 3, d -> Files.writeString(d.resolve("config.json"), "again"));
        assertThat(root.resolve("m/v3/config.json")).hasContent("again");
    }

    @Test
    void aFailedWriteLeavesNoVersion() throws Exception {
        ModelStore store = store();
        assertThatThrownBy(
                        () ->
                                store.write(
                                        "m",
                                        1,
                                        d -> {
                                            Files.writeString(d.resolve("config.json"), "{}");
                                            throw new java.io.IOException("serialization failed");
                                        }))
                .hasMessage("serialization failed");
        assertThat(store.versions("m")).isEmpty();
    }

    @Test
    void versionsAreCopiedIntoTheLocalCacheAndCopiedAgainOnlyWhenRewritten() throws Exception {
        ModelStore store = store();
        store.write("m", 1, d -> Files.writeString(d.resolve("config.json"), "one"));
        var provider = new FileSystemModelStore.Provider();
        Path copy = provider.localCopy(root.resolve("m/v1").toUri());
        assertThat(copy).startsWith(cache);
        assertThat(copy.resolve("config.json")).hasContent("one");
        assertThat(copy.resolve(FileSystemModelStore.SOURCE_FILE)).exists();

        // a second reader gets the same copy without copying again
        Files.writeString(copy.resolve("marker"), "still the first copy");
        assertThat(provider.localCopy(root.resolve("m/v1").toUri())).isEqualTo(copy);
        assertThat(copy.resolve("marker")).exists();

        // the version rewritten (a run started over under the same name): a fresh copy
        store.write("m", 1, d -> Files.writeString(d.resolve("config.json"), "rewritten"));
        assertThat(provider.localCopy(root.resolve("m/v1").toUri())).isEqualTo(copy);
        assertThat(copy.resolve("config.json")).hasContent("rewritten");
        assertThat(copy.resolve("marker")).doesNotExist();
        try (var entries = Files.list(cache)) {
            assertThat(entries).hasSize(1); // no leftovers of the first copy or the download
        }

        assertThatThrownBy(() -> provider.localCopy(root.resolve("m/v9").toUri()))
                .isInstanceOf(java.io.FileNotFoundException.class)
                .hasMessageContaining("m/v9");
    }

    @Test
    void checkpointStateRoundTrips() throws Exception {
        byte[] data = "optimizer".getBytes(StandardCharsets.UTF_8);
        String where = store().writeCheckpoint("m", 12, data);
        assertThat(where).endsWith("/m/checkpoints/chk-12.safetensors");
        assertThat(new FileSystemModelStore.Provider().read(java.net.URI.create(where)))
                .isEqualTo(data);
    }

    @Test
    void aSchemeWithoutAFileSystemIsRefusedNamingTheStore() {
        assertThatThrownBy(() -> ModelStore.at("nosuchfs://bucket/models"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nosuchfs://bucket/models")
                .hasMessageContaining("nosuchfs");
    }

    @Test
    void cacheNamesAreReadableAndDistinct() {
        assertThat(FileSystemModelStore.cacheName("s3://b/models/austen/v3"))
                .startsWith("austen-v3-");
        assertThat(FileSystemModelStore.cacheName("s3://b/models/austen/v3"))
                .isNotEqualTo(FileSystemModelStore.cacheName("s3://other/models/austen/v3"));
    }
}
