package io.belamy.tests;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.belamy.app.runtime.EmbeddedRuntime;
import io.belamy.app.runtime.TopicAdmin;
import io.belamy.core.generation.Generation;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.generation.TextGenerator;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.topic.DeadLetter;
import io.belamy.core.topic.ModelVersionRecord;
import io.belamy.core.topic.Topics;
import io.belamy.ingest.TextIngest;
import io.belamy.streaming.JobArgs;
import io.belamy.train.TrainTextJob;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The train-text job on a real broker and a Flink MiniCluster. */
class TrainTextJobIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path DATA = Path.of(System.getProperty("belamy.home", "..")).resolve("data/text");

    @TempDir static Path work;
    static EmbeddedRuntime runtime;

    @BeforeAll
    static void start() throws Exception {
        runtime = Runtimes.start(work.resolve("runtime"));
    }

    @AfterAll
    static void stop() {
        if (runtime != null) {
            runtime.close();
        }
    }

    static Topics topics(String prefix) throws Exception {
        Topics t = new Topics(prefix);
        TopicAdmin.ensureTopics(runtime.kafka(), t, 1, (short) 1);
        return t;
    }

    static TextIngest.Summary ingest(Topics topics, String corpus, Path... paths) throws Exception {
        return new TextIngest(
                        runtime.kafka(),
                        topics,
                        new TextIngest.Options(corpus, TextIngest.BadBytes.SKIP_FILE, false),
                        new PrintStream(System.err, true))
                .run(List.of(paths), false);
    }

    static JobClient train(Topics topics, Map<String, String> options) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("bootstrap.servers", runtime.kafka().bootstrapServers());
        a.put("topic.prefix", topics.prefix());
        a.put("model.store", work.resolve("store").toString());
        a.put("checkpoint.interval", "1s");
        a.put("batch.size", "8");
        a.put("sequence.length", "64");
        a.putAll(options);
        JobArgs args = JobArgs.of(a, TrainTextJob.KEYS);
        return runtime.submit(
                "train " + a.get("model.name"),
                env -> TrainTextJob.configure(env, args),
                Duration.ofMinutes(2));
    }

    static List<ModelVersionRecord> versions(Topics topics, int atLeast, Duration timeout) {
        return KafkaRecords.readUntil(
                        runtime.kafka(),
                        topics.models().name(),
                        true,
                        timeout,
                        r -> r.size() >= atLeast)
                .stream()
                .map(r -> ModelVersionRecord.CODEC.decode(r.value()))
                .toList();
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void gptFromAPresetPublishesVersionsWhileBadRecordsGoToTheDeadLetterTopic() throws Exception {
        Topics topics = topics("a.");
        // The held-out share (by hash) is Lincoln's 1864 address: send it first, so that evaluation
        // has data while the training backlog is still long; the full directory then skips it.
        Path first = work.resolve("first").resolve("sotu");
        java.nio.file.Files.createDirectories(first);
        java.nio.file.Files.copy(
                DATA.resolve("sotu/1864_abraham_lincoln.txt"),
                first.resolve("1864_abraham_lincoln.txt"));
        assertThat(ingest(topics, "sotu", first).count(TextIngest.Status.INGESTED)).isEqualTo(1);
        TextIngest.Summary summary = ingest(topics, "sotu", DATA.resolve("sotu"));
        assertThat(summary.count(TextIngest.Status.INGESTED)).isEqualTo(10);
        assertThat(summary.count(TextIngest.Status.ALREADY_INGESTED)).isEqualTo(1);
        KafkaRecords.send(
                runtime.kafka(), topics.corpusText().name(), "bad-1", "not json".getBytes(UTF_8));
        KafkaRecords.send(
                runtime.kafka(),
                topics.corpusText().name(),
                "bad-2",
                "{\"v\":1,\"corpus\":\"c\",\"document\":\"d\",\"seq\":0,\"text\":\"  \\n \",\"last\":true}"
                        .getBytes(UTF_8));
        KafkaRecords.send(
                runtime.kafka(),
                topics.corpusText().name(),
                "bad-3",
                "{\"v\":9,\"corpus\":\"c\",\"document\":\"d\",\"seq\":0,\"text\":\"future\",\"last\":true}"
                        .getBytes(UTF_8));

        JobClient job =
                train(
                        topics,
                        Map.of(
                                "model.name",
                                "sotu-gpt",
                                "model.preset",
                                "tiny",
                                "steps.per.version",
                                "15",
                                "eval.interval",
                                "5",
                                "heldout.fraction",
                                "0.15"));
        try {
            List<ModelVersionRecord> v = versions(topics, 2, Duration.ofMinutes(4));
            ModelVersionRecord v1 = v.get(0);
            ModelVersionRecord v2 = v.get(1);
            assertThat(v1.name()).isEqualTo("sotu-gpt");
            assertThat(v1.version()).isEqualTo(1);
            assertThat(v2.version()).isEqualTo(2);
            assertThat(v2.parent()).isEqualTo(1L);
            assertThat(v1.kind()).isEqualTo("gpt");
            assertThat(v1.counters().get("steps")).isEqualTo(15L);
            assertThat(v2.counters().get("steps")).isEqualTo(30L);
            assertThat(v2.counters().get("tokensTrained")).isEqualTo(30L * 8 * 64);
            assertThat(v1.metrics().get("loss")).isFinite();
            assertThat(v2.metrics().get("heldOutLoss")).isFinite();
            assertThat(v2.metrics().get("heldOutLoss")).isLessThan(v1.metrics().get("heldOutLoss"));

            Path dir = Path.of(URI.create(v2.uri()));
            assertThat(dir.resolve("config.json")).isRegularFile();
            assertThat(dir.resolve("belamy.json")).isRegularFile();
            try (GptModel model = GptModel.load(dir)) {
                Generation g =
                        new TextGenerator(model)
                                .generate("The Union", SamplingParams.greedy(10), t -> {});
                assertThat(g.tokenIds()).hasSize(10);
            }

            List<ConsumerRecord<String, byte[]>> dlq =
                    KafkaRecords.readUntil(
                            runtime.kafka(),
                            topics.dlq().name(),
                            true,
                            Duration.ofSeconds(60),
                            r -> r.size() >= 3);
            assertThat(dlq).hasSize(3);
            assertThat(dlq.stream().map(r -> DeadLetter.CODEC.decode(r.value()).error().code()))
                    .containsExactlyInAnyOrder("invalid_json", "empty_text", "unsupported_version");

            // metrics through Flink's REST API
            JsonNode metric = metric(job, "tokensTrained");
            assertThat(metric.get("value").asLong()).isGreaterThanOrEqualTo(30L * 8 * 64);
            assertThat(metric(job, "loss").get("value").asDouble()).isFinite();
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * A metric of the training operator, by the end of its name, from Flink's REST API (which
     * fetches metrics from TaskManagers every few seconds, so the first asks may come back empty).
     */
    static JsonNode metric(JobClient job, String suffix) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode m = findMetric(job, suffix);
            if (m != null) {
                return m;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "no metric ending in " + suffix + " on the training operator");
            }
            Thread.sleep(500);
        }
    }

    private static JsonNode findMetric(JobClient job, String suffix) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = runtime.flink().restAddress() + "/jobs/" + job.getJobID();
        JsonNode vertices = JSON.readTree(get(http, base)).get("vertices");
        for (JsonNode v : vertices) {
            if (!v.get("name").asText().contains("train")) {
                continue;
            }
            String url = base + "/vertices/" + v.get("id").asText() + "/metrics";
            for (JsonNode m : JSON.readTree(get(http, url))) {
                String id = m.get("id").asText();
                if (id.contains("belamy.model.") && id.endsWith("." + suffix)) {
                    return JSON.readTree(get(http, url + "?get=" + id)).get(0);
                }
            }
        }
        return null;
    }

    private static String get(HttpClient http, String url) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
