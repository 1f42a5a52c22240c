package io.belamy.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.belamy.app.client.PromptProducer;
import io.belamy.app.client.ReplyConsumer;
import io.belamy.app.runtime.EmbeddedRuntime;
import io.belamy.core.generation.Generation;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.generation.TextGenerator;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.store.ModelCard;
import io.belamy.core.testing.Fixtures;
import io.belamy.core.topic.ModelVersionRecord;
import io.belamy.core.topic.PromptParams;
import io.belamy.core.topic.PromptRecord;
import io.belamy.core.topic.TextReply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The generation job as an inference server: batching, hot-swap, backpressure, delivery modes. */
class ServingIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FIXTURE = Fixtures.dir(Fixtures.GPT2_TINY);

    @TempDir Path work;

    /** A model-store version of the tiny model: v1 the fixture, later ones fresh weights. */
    private Path version(long version) throws Exception {
        Path dir = work.resolve("store").resolve("tiny").resolve("v" + version);
        try (GptModel fixture = GptModel.load(FIXTURE)) {
            if (version == 1) {
                fixture.save(dir);
            } else {
                try (GptModel fresh =
                        GptModel.create(fixture.config(), fixture.tokenizer(), 1000 + version)) {
                    fresh.save(dir);
                }
            }
        }
        new ModelCard("tiny", GptModel.KIND, version, null, 0, Map.of(), Map.of()).write(dir);
        return dir;
    }

    private static void announce(EmbeddedRuntime runtime, Path dir, long version) {
        Properties p = runtime.kafka().clientConfig();
        p.setProperty("key.serializer", StringSerializer.class.getName());
        p.setProperty("value.serializer", ByteArraySerializer.class.getName());
        ModelVersionRecord record =
                new ModelVersionRecord(
                        ModelVersionRecord.VERSION,
                        "tiny",
                        version,
                        GptModel.KIND,
                        dir.toUri().toString(),
                        version - 1,
                        System.currentTimeMillis(),
                        Map.of(),
                        Map.of());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(
                    new ProducerRecord<>(
                            runtime.topics().models().name(),
                            "tiny",
                            ModelVersionRecord.CODEC.encode(record)));
        }
    }

    private static String text(int i) {
        String[] prompts = {
            "Emma Woodhouse, handsome,", "It is a truth", "The weather was", "Mr. Knightley"
        };
        return prompts[i % prompts.length];
    }

    private static SamplingParams params(int i, int tokens) {
        return i % 2 == 0
                ? SamplingParams.builder().maxTokens(tokens).temperature(0).build()
                : SamplingParams.builder().maxTokens(tokens).seed(50L + i).topK(30).build();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aNewVersionIsSwappedInUnderLoadAndTheOldOneReleased() throws Exception {
        Path v1 = version(1);
        Path v2 = version(2);
        try (EmbeddedRuntime runtime = Runtimes.start(work.resolve("rt"))) {
            JobClient job = Runtimes.serve(runtime, v1, Map.of("batch.max.size", "4"));
            Map<Long, GptModel> local = Map.of(1L, GptModel.load(v1), 2L, GptModel.load(v2));
            try (ReplyConsumer replies =
                            new ReplyConsumer(runtime.kafka(), runtime.topics(), false);
                    PromptProducer prompts =
                            new PromptProducer(runtime.kafka(), runtime.topics())) {
                // 20 prompts of 50 tokens, 4 at a time: still running when v2 arrives
                for (int i = 0; i < 20; i++) {
                    prompts.send(
                            PromptRecord.text("a" + i, text(i), PromptParams.of(params(i, 50))));
                }
                TextReply first = replies.await("a0", Duration.ofMinutes(1), d -> {});
                assertThat(((TextReply.Result) first).model().version()).isEqualTo(1);
                announce(runtime, v2, 2);
                List<TextReply.Result> results = new ArrayList<>();
                results.add((TextReply.Result) first);
                for (int i = 1; i < 20; i++) {
                    TextReply r = replies.await("a" + i, Duration.ofMinutes(2), d -> {});
                    assertThat(r).as("a%d", i).isInstanceOf(TextReply.Result.class);
                    results.add((TextReply.Result) r);
                }
                // later prompts, sent once v2 is loaded, run on it
                awaitMetric(runtime, job, "model_version", 2);
                for (int i = 0; i < 4; i++) {
                    prompts.send(
                            PromptRecord.text("b" + i, text(i), PromptParams.of(params(i, 20))));
                }
                for (int i = 0; i < 4; i++) {
                    TextReply r = replies.await("b" + i, Duration.ofMinutes(1), d -> {});
                    assertThat(((TextReply.Result) r).model().version()).isEqualTo(2);
                    results.add((TextReply.Result) r);
                }
                // each request ran on one version from start to end: its text is that version's
                for (TextReply.Result r : results) {
                    int i = Integer.parseInt(r.id().substring(1));
                    SamplingParams p =
                            params(i, r.id().startsWith("a") ? 50 : 20).toBuilder()
                                    .seed(r.seed())
                                    .build();
                    Generation want =
                            new TextGenerator(local.get(r.model().version()))
                                    .generate(text(i), p, t -> {});
                    assertThat(r.text()).as(r.id()).isEqualTo(want.text());
                }
                assertThat(results).extracting(r -> r.model().version()).contains(1L, 2L);
                // v1 is closed once nothing runs on it
                awaitMetric(runtime, job, "models_loaded", 1);

                // a prompt may pin a version: v1 is loaded again for it; an unknown one is refused
                prompts.send(
                        new PromptRecord(
                                PromptRecord.VERSION,
                                "pin1",
                                PromptRecord.TEXT,
                                null,
                                1L,
                                text(0),
                                PromptParams.of(params(0, 12))));
                prompts.send(
                        new PromptRecord(
                                PromptRecord.VERSION,
                                "pin7",
                                PromptRecord.TEXT,
                                null,
                                7L,
                                text(0),
                                PromptParams.of(params(0, 12))));
                TextReply.Result pinned =
                        (TextReply.Result) replies.await("pin1", Duration.ofMinutes(1), d -> {});
                assertThat(pinned.model().version()).isEqualTo(1);
                assertThat(pinned.text())
                        .isEqualTo(
                                new TextGenerator(local.get(1L))
                                        .generate(text(0), params(0, 12), t -> {})
                                        .text());
                TextReply.Error unknown =
                        (TextReply.Error) replies.await("pin7", Duration.ofMinutes(1), d -> {});
                assertThat(unknown.error().code()).isEqualTo("unknown_model_version");
                assertThat(unknown.error().message()).contains("no version 7");
            } finally {
                local.values().forEach(GptModel::close);
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void fiveHundredPromptsAtOnceAgainstABatchOfEightAreAllAnswered() throws Exception {
        try (EmbeddedRuntime runtime = Runtimes.start(work.resolve("rt"))) {
            JobClient job =
                    Runtimes.serve(
                            runtime,
                            FIXTURE,
                            Map.of("batch.max.size", "8", "queue.max.size", "16"));
            try (ReplyConsumer replies =
                            new ReplyConsumer(runtime.kafka(), runtime.topics(), false);
                    PromptProducer prompts =
                            new PromptProducer(runtime.kafka(), runtime.topics())) {
                for (int i = 0; i < 500; i++) {
                    prompts.send(
                            PromptRecord.text("p" + i, text(i), PromptParams.of(params(i, 6))));
                }
                for (int i = 0; i < 500; i++) {
                    TextReply r = replies.await("p" + i, Duration.ofMinutes(3), d -> {});
                    assertThat(r).as("p%d", i).isInstanceOf(TextReply.Result.class);
                    assertThat(((TextReply.Result) r).usage().completionTokens()).isEqualTo(6);
                }
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void exactlyOnceGivesEachRequestOneCommittedReplyAcrossATaskManagerFailure() throws Exception {
        int count = 24;
        try (EmbeddedRuntime runtime = Runtimes.start(work.resolve("rt"))) {
            JobClient job =
                    Runtimes.serve(
                            runtime,
                            FIXTURE,
                            Map.of(
                                    "delivery", "exactly-once",
                                    "batch.max.size", "1",
                                    "checkpoint.interval", "500ms"));
            try (PromptProducer prompts = new PromptProducer(runtime.kafka(), runtime.topics());
                    KafkaConsumer<String, byte[]> committed = consumer(runtime)) {
                for (int i = 0; i < count; i++) {
                    prompts.send(
                            PromptRecord.text("x" + i, text(i), PromptParams.of(params(i, 56))));
                }
                Map<String, List<TextReply>> seen = new HashMap<>();
                // once some replies are committed, kill the TaskManager mid-generation
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (finished(seen) < 2) {
                    poll(committed, seen);
                    assertThat(System.nanoTime()).as("first replies").isLessThan(deadline);
                }
                int beforeFailure = finished(seen);
                runtime.flink().cluster().terminateTaskManager(0).get(60, TimeUnit.SECONDS);
                runtime.flink().cluster().startTaskManager();
                assertThat(beforeFailure)
                        .as("requests still to come at the failure")
                        .isLessThan(count);

                deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
                while (finished(seen) < count) {
                    poll(committed, seen);
                    assertThat(System.nanoTime()).as("all replies").isLessThan(deadline);
                }
                poll(committed, seen); // anything after the last would be a duplicate
                try (GptModel model = GptModel.load(FIXTURE)) {
                    for (int i = 0; i < count; i++) {
                        List<TextReply> records = seen.get("x" + i);
                        TextReply.Result result =
                                (TextReply.Result) records.get(records.size() - 1);
                        // exactly one record per seq, in order, then one final record
                        StringBuilder text = new StringBuilder();
                        for (int s = 0; s < records.size() - 1; s++) {
                            TextReply.Chunk c = (TextReply.Chunk) records.get(s);
                            assertThat(c.seq()).as("x%d record %d", i, s).isEqualTo(s);
                            text.append(c.delta());
                        }
                        assertThat(result.seq()).isEqualTo(records.size() - 1);
                        assertThat(result.text()).isEqualTo(text.toString());
                        Generation want =
                                new TextGenerator(model)
                                        .generate(
                                                text(i),
                                                params(i, 56).toBuilder()
                                                        .seed(result.seed())
                                                        .build(),
                                                t -> {});
                        assertThat(result.text()).as("x%d", i).isEqualTo(want.text());
                    }
                }
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void fillMaskThroughTheJobGivesTheReferenceTop5() throws Exception {
        Path bert = Fixtures.dir(Fixtures.BERT_TINY);
        String text;
        try (var model = io.belamy.core.bert.BertModel.load(bert)) {
            text = Fixtures.bertMaskedText(model);
        }
        JsonNode top5 = Fixtures.reference(Fixtures.BERT_TINY).get("top5_at_masks").get(0);
        try (EmbeddedRuntime runtime = Runtimes.start(work.resolve("rt"))) {
            JobClient job = Runtimes.serve(runtime, bert, Map.of());
            try (ReplyConsumer replies =
                            new ReplyConsumer(runtime.kafka(), runtime.topics(), false);
                    PromptProducer prompts =
                            new PromptProducer(runtime.kafka(), runtime.topics())) {
                prompts.send(
                        new PromptRecord(
                                PromptRecord.VERSION,
                                "m1",
                                PromptRecord.FILL_MASK,
                                null,
                                null,
                                text,
                                null));
                prompts.send(
                        new PromptRecord(
                                PromptRecord.VERSION,
                                "m2",
                                PromptRecord.FILL_MASK,
                                null,
                                null,
                                "no mask here",
                                null));
                TextReply.Result r =
                        (TextReply.Result) replies.await("m1", Duration.ofMinutes(1), d -> {});
                assertThat(r.finishReason()).isEqualTo("filled");
                assertThat(r.masks()).hasSize(4);
                for (int j = 0; j < 4; j++) {
                    assertThat(r.masks().get(j).candidates())
                            .extracting(io.belamy.core.topic.ReplyParts.Candidate::tokenId)
                            .containsExactly(
                                    java.util.Arrays.stream(Fixtures.ints(top5.get(j)))
                                            .boxed()
                                            .toArray(Integer[]::new));
                }
                assertThat(r.masks().get(0).filled().tokenId())
                        .isEqualTo(top5.get(0).get(0).asInt());
                assertThat(r.text()).doesNotContain("[MASK]");
                TextReply.Error e =
                        (TextReply.Error) replies.await("m2", Duration.ofMinutes(1), d -> {});
                assertThat(e.error().code()).isEqualTo("invalid_params");
                assertThat(e.error().message()).contains("[MASK]");
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static KafkaConsumer<String, byte[]> consumer(EmbeddedRuntime runtime) {
        Properties p = runtime.kafka().clientConfig();
        p.setProperty("key.deserializer", StringDeserializer.class.getName());
        p.setProperty("value.deserializer", ByteArrayDeserializer.class.getName());
        p.setProperty("isolation.level", "read_committed");
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p);
        TopicPartition tp = new TopicPartition(runtime.topics().generatedText().name(), 0);
        c.assign(List.of(tp));
        c.seekToBeginning(List.of(tp));
        return c;
    }

    private static void poll(KafkaConsumer<String, byte[]> c, Map<String, List<TextReply>> seen) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(300))) {
            TextReply reply = TextReply.CODEC.decode(r.value());
            List<TextReply> list = seen.computeIfAbsent(reply.id(), k -> new ArrayList<>());
            assertThat(list)
                    .as("%s: nothing after its final record", reply.id())
                    .noneMatch(TextReply::done);
            list.add(reply);
        }
    }

    private static int finished(Map<String, List<TextReply>> seen) {
        int n = 0;
        for (List<TextReply> records : seen.values()) {
            n += records.get(records.size() - 1).done() ? 1 : 0;
        }
        return n;
    }

    /** Waits until the generate operator's metric {@code name} reads {@code value}. */
    private static void awaitMetric(EmbeddedRuntime runtime, JobClient job, String name, long value)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode m = metric(runtime, job, name);
            if (m != null && m.get("value").asLong() == value) {
                return;
            }
            assertThat(System.nanoTime())
                    .as("metric %s = %d (last: %s)", name, value, m)
                    .isLessThan(deadline);
            Thread.sleep(300);
        }
    }

    private static JsonNode metric(EmbeddedRuntime runtime, JobClient job, String name)
            throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = runtime.flink().restAddress() + "/jobs/" + job.getJobID();
        JsonNode vertices = JSON.readTree(get(http, base)).get("vertices");
        for (JsonNode v : vertices) {
            if (!v.get("name").asText().contains("generate text")) {
                continue;
            }
            String url = base + "/vertices/" + v.get("id").asText() + "/metrics";
            for (JsonNode m : JSON.readTree(get(http, url))) {
                String id = m.get("id").asText();
                if (id.endsWith("belamy." + name)) {
                    return JSON.readTree(get(http, url + "?get=" + id)).get(0);
                }
            }
        }
        return null;
    }

    private static String get(HttpClient http, String url) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(url)).GET().build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
