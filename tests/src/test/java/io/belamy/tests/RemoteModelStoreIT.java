package io.belamy.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.belamy.app.client.PromptProducer;
import io.belamy.app.client.ReplyConsumer;
import io.belamy.app.runtime.EmbeddedRuntime;
import io.belamy.core.store.ModelStore;
import io.belamy.core.topic.ModelVersionRecord;
import io.belamy.core.topic.PromptParams;
import io.belamy.core.topic.PromptRecord;
import io.belamy.core.topic.TextReply;
import io.belamy.ingest.TextIngest;
import io.belamy.streaming.JobArgs;
import io.belamy.tests.fs.MappedFileSystem;
import io.belamy.train.TrainTextJob;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model store on a file system that only Flink's FileSystem API reaches ({@code belamytest://},
 * standing in for {@code s3://} or {@code hdfs://}): training writes its versions and its large
 * state there, generation serves a version given by URI and hot-swaps to the next one.
 */
class RemoteModelStoreIT {

    static final Path DATA = Path.of(System.getProperty("belamy.home", "..")).resolve("data/text");
    static final String STORE = MappedFileSystem.SCHEME + "://bucket/models";

    @TempDir Path work;

    @AfterEach
    void clearProperties() {
        System.clearProperty(MappedFileSystem.ROOT_PROPERTY);
        System.clearProperty("belamy.store.cache");
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void trainingPublishesToAFlinkFileSystemAndGenerationServesFromIt() throws Exception {
        Path remote = work.resolve("remote");
        Path cache = work.resolve("cache");
        System.setProperty(MappedFileSystem.ROOT_PROPERTY, remote.toString());
        System.setProperty("belamy.store.cache", cache.toString());
        try (EmbeddedRuntime runtime = Runtimes.start(work.resolve("rt"))) {
            Path corpus = work.resolve("corpus");
            Files.createDirectories(corpus);
            for (String name :
                    List.of("1790_george_washington.txt", "1791_george_washington.txt")) {
                Files.copy(DATA.resolve("sotu").resolve(name), corpus.resolve(name));
            }
            new TextIngest(
                            runtime.kafka(),
                            runtime.topics(),
                            new TextIngest.Options("sotu", TextIngest.BadBytes.SKIP_FILE, false),
                            new PrintWriter(System.err, true))
                    .run(List.of(corpus), false);

            Map<String, String> a = new LinkedHashMap<>();
            a.put("bootstrap.servers", runtime.kafka().bootstrapServers());
            a.put("model.name", "remote-gpt");
            a.put("model.preset", "tiny");
            a.put("model.store", STORE);
            a.put("batch.size", "8");
            a.put("sequence.length", "64");
            a.put("steps.per.version", "4");
            a.put("checkpoint.interval", "1s");
            a.put("state.inline.max", "1"); // training state goes to the store on checkpoints
            JobArgs args = JobArgs.of(a, TrainTextJob.KEYS);
            JobClient training =
                    runtime.submit(
                            "train remote-gpt",
                            env -> TrainTextJob.configure(env, args),
                            Duration.ofMinutes(2));
            List<ModelVersionRecord> versions;
            try {
                versions =
                        KafkaRecords.readUntil(
                                        runtime.kafka(),
                                        runtime.topics().models().name(),
                                        true,
                                        Duration.ofMinutes(4),
                                        r -> r.size() >= 2)
                                .stream()
                                .map(r -> ModelVersionRecord.CODEC.decode(r.value()))
                                .toList();
                // a checkpoint after the second version holds state written to the store
                Thread.sleep(2_000);
            } finally {
                training.cancel().get(60, TimeUnit.SECONDS);
            }

            // versions are Hugging Face directories on the remote file system, named by URI
            ModelVersionRecord v1 = versions.get(0);
            ModelVersionRecord v2 = versions.get(1);
            assertThat(v1.uri()).isEqualTo(STORE + "/remote-gpt/v1");
            assertThat(v2.uri()).isEqualTo(STORE + "/remote-gpt/v2");
            Path model = remote.resolve("bucket/models/remote-gpt");
            for (String file : List.of("config.json", "model.safetensors", "belamy.json")) {
                assertThat(model.resolve("v1").resolve(file)).isRegularFile();
                assertThat(model.resolve("v2").resolve(file)).isRegularFile();
            }
            try (Stream<Path> files = Files.list(model)) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .contains("v1", "v2", "checkpoints")
                        .allMatch(n -> n.equals("checkpoints") || n.matches("v\\d+"));
            }
            try (Stream<Path> files = Files.list(model.resolve("checkpoints"))) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .isNotEmpty()
                        .allMatch(n -> n.matches("chk-\\d+\\.safetensors"));
            }
            ModelStore store = ModelStore.at(STORE);
            assertThat(store.names()).containsExactly("remote-gpt");
            List<Long> stored = store.versions("remote-gpt");
            assertThat(stored).startsWith(1L, 2L).isSorted();
            try (Stream<Path> files = Files.list(model)) {
                assertThat(files.filter(p -> !p.endsWith("checkpoints"))).hasSameSizeAs(stored);
            }

            // serve v1 by its URI; the newer versions arrive on the models topic and are loaded
            // from the store
            long served = 0;
            JobClient serving = Runtimes.serve(runtime, work, Map.of("model.dir", v1.uri()));
            try (ReplyConsumer replies =
                            new ReplyConsumer(runtime.kafka(), runtime.topics(), false);
                    PromptProducer prompts =
                            new PromptProducer(runtime.kafka(), runtime.topics())) {
                PromptParams params =
                        PromptParams.of(
                                io.belamy.core.generation.SamplingParams.builder()
                                        .maxTokens(5)
                                        .temperature(0)
                                        .build());
                prompts.send(
                        new PromptRecord(
                                PromptRecord.VERSION,
                                "pinned-1",
                                PromptRecord.TEXT,
                                "remote-gpt",
                                1L,
                                "The Congress",
                                params));
                TextReply r1 = replies.await("pinned-1", Duration.ofMinutes(1), d -> {});
                assertThat(r1).isInstanceOf(TextReply.Result.class);
                assertThat(((TextReply.Result) r1).model().version()).isEqualTo(1);

                long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                for (int i = 0; served < 2 && System.nanoTime() < deadline; i++) {
                    prompts.send(PromptRecord.text("newest-" + i, "The Congress", params));
                    TextReply r = replies.await("newest-" + i, Duration.ofMinutes(1), d -> {});
                    assertThat(r).isInstanceOf(TextReply.Result.class);
                    served = ((TextReply.Result) r).model().version();
                }
                // (the store may hold versions whose records the cancel left uncommitted)
                assertThat(served)
                        .as("a newer version, loaded from the store")
                        .isBetween(2L, stored.get(stored.size() - 1));
            } finally {
                serving.cancel().get(60, TimeUnit.SECONDS);
            }
            // each version served has one copy in the local cache
            long last = served;
            try (Stream<Path> copies = Files.list(cache)) {
                assertThat(copies.map(p -> p.getFileName().toString()))
                        .filteredOn(n -> !n.startsWith("."))
                        .allMatch(n -> n.startsWith("remote-gpt-v"))
                        .anyMatch(n -> n.startsWith("remote-gpt-v1-"))
                        .anyMatch(n -> n.startsWith("remote-gpt-v" + last + "-"));
            }
        }
    }
}
