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
                        new java.io.PrintWriter(System.err, true))
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
        // Bad records first: behind the corpus they would wait for the training backlog.
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

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aTaskManagerFailureResumesFromTheCheckpointWithoutRetrainingOrSkippingText()
            throws Exception {
        Topics topics = topics("b.");
        Path washington = work.resolve("washington").resolve("sotu");
        java.nio.file.Files.createDirectories(washington);
        for (int year = 1790; year <= 1796; year++) {
            String name = year + "_george_washington.txt";
            java.nio.file.Files.copy(DATA.resolve("sotu").resolve(name), washington.resolve(name));
        }
        assertThat(ingest(topics, "washington", washington).count(TextIngest.Status.INGESTED))
                .isEqualTo(7);
        double heldOut = 0.1;
        long expectedTokens = trainableTokens(topics, heldOut);

        JobClient job =
                train(
                        topics,
                        Map.of(
                                "model.name",
                                "washington",
                                "model.preset",
                                "tiny",
                                "steps.per.version",
                                "10",
                                "version.interval",
                                "3s",
                                "heldout.fraction",
                                Double.toString(heldOut),
                                "checkpoint.unaligned",
                                "true"));
        try {
            List<ModelVersionRecord> before = versions(topics, 2, Duration.ofMinutes(3));
            long stepsBefore = before.get(before.size() - 1).counters().get("steps");
            // Kill the TaskManager running the job, then give the cluster a new one.
            runtime.flink().cluster().terminateTaskManager(0).get(60, TimeUnit.SECONDS);
            runtime.flink().cluster().startTaskManager();

            // Wait for a version that has seen all the text (the last one comes after the idle
            // interval).
            // Wait until the trainer has seen everything (its metrics: the last tokens may arrive
            // after the last version when they are too few for another step, so no version
            // need report them).
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            while (metric(job, "tokensSeen").get("value").asLong() != expectedTokens
                    || metric(job, "tokensPending").get("value").asLong() >= 8 * 64) {
                assertThat(System.nanoTime())
                        .as("trainer sees all %d tokens", expectedTokens)
                        .isLessThan(deadline);
                Thread.sleep(500);
            }
            long steps = metric(job, "steps").get("value").asLong();
            long trained = metric(job, "tokensTrained").get("value").asLong();
            long pending = metric(job, "tokensPending").get("value").asLong();
            // every step trained one batch; trained + pending = everything ingested, exactly
            assertThat(steps).isGreaterThan(stepsBefore);
            assertThat(trained).isEqualTo(steps * 8 * 64);
            assertThat(trained + pending).isEqualTo(expectedTokens);
            // versions and steps only ever go forward, across the failure
            List<ModelVersionRecord> all =
                    versions(topics, before.size() + 1, Duration.ofMinutes(1)).stream().toList();
            for (int i = 1; i < all.size(); i++) {
                assertThat(all.get(i).version()).isEqualTo(all.get(i - 1).version() + 1);
                assertThat(all.get(i).counters().get("steps"))
                        .isGreaterThan(all.get(i - 1).counters().get("steps"));
            }
            ModelVersionRecord last = all.get(all.size() - 1);
            assertThat(last.counters().get("steps")).isGreaterThan(stepsBefore);
            assertThat(last.counters().get("tokensTrained"))
                    .isEqualTo(last.counters().get("steps") * 8 * 64);
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * Tokens the packer will see: every chunk not held out, plus end-of-text after each document.
     */
    static long trainableTokens(Topics topics, double heldOutFraction) {
        List<ConsumerRecord<String, byte[]>> records =
                KafkaRecords.readUntil(
                        runtime.kafka(),
                        topics.corpusText().name(),
                        true,
                        Duration.ofSeconds(30),
                        r -> !r.isEmpty());
        long tokens = 0;
        try (var bytes = io.belamy.core.tokenizer.Tokenizers.bytes()) {
            for (ConsumerRecord<String, byte[]> r :
                    KafkaRecords.readUntil(
                            runtime.kafka(),
                            topics.corpusText().name(),
                            true,
                            Duration.ofSeconds(30),
                            x -> x.size() >= records.size())) {
                io.belamy.core.topic.CorpusChunk c =
                        io.belamy.core.topic.CorpusChunk.CODEC.decode(r.value());
                if (!io.belamy.train.TokenizeAndPack.heldOut(c, heldOutFraction)) {
                    tokens += bytes.encode(c.text()).length + (c.last() ? 1 : 0);
                }
            }
        }
        return tokens;
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void fineTuningACheckpointOnASecondCorpusLowersItsHeldOutLoss() throws Exception {
        Topics topics = topics("c.");
        // gpt2-tiny was trained on Jane Austen; fine-tune it on the State of the Union addresses
        // (Lincoln's 1864 address kept aside for evaluation, never ingested).
        Path speeches = work.resolve("speeches").resolve("sotu");
        java.nio.file.Files.createDirectories(speeches);
        try (var files = java.nio.file.Files.list(DATA.resolve("sotu"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!f.getFileName().toString().startsWith("1864")) {
                    java.nio.file.Files.copy(f, speeches.resolve(f.getFileName()));
                }
            }
        }
        ingest(topics, "sotu", speeches);
        Path base = io.belamy.core.testing.Fixtures.dir(io.belamy.core.testing.Fixtures.GPT2_TINY);
        String heldOutText =
                java.nio.file.Files.readString(DATA.resolve("sotu/1864_abraham_lincoln.txt"));

        JobClient job =
                train(
                        topics,
                        Map.of(
                                "model.name",
                                "austen-to-sotu",
                                "model.from",
                                base.toString(),
                                "steps.per.version",
                                "60",
                                "learning.rate",
                                "0.001"));
        try {
            ModelVersionRecord v1 = versions(topics, 1, Duration.ofMinutes(4)).get(0);
            assertThat(v1.counters().get("steps")).isEqualTo(60L);
            double before = heldOutLoss(base, heldOutText);
            double after = heldOutLoss(Path.of(URI.create(v1.uri())), heldOutText);
            assertThat(after)
                    .as(
                            "held-out loss on the second corpus: %.3f before, %.3f after",
                            before, after)
                    .isLessThan(before - 0.2);
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    /** Mean loss of a GPT directory on a text it never trained on. */
    static double heldOutLoss(Path dir, String text) throws Exception {
        try (GptModel model = GptModel.load(dir);
                io.belamy.core.train.Trainer trainer =
                        new io.belamy.core.train.Trainer(
                                model,
                                io.belamy.core.train.TrainingConfig.defaults().withBatch(8, 64))) {
            var windows =
                    new io.belamy.core.train.CausalPacker(64, model.config().eosTokenId())
                            .add(model.tokenizer().encode(text), true);
            List<io.belamy.core.train.TokenBatch> batches = new java.util.ArrayList<>();
            for (int i = 0; i + 8 <= windows.size(); i += 8) {
                batches.add(io.belamy.core.train.Batches.causal(windows.subList(i, i + 8)));
            }
            return trainer.evaluate(batches);
        }
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void bertFromAPresetPublishesMaskedLanguageModelVersions() throws Exception {
        Topics topics = topics("d.");
        ingest(topics, "austen", DATA.resolve("austen/persuasion.txt"));
        JobClient job =
                train(
                        topics,
                        Map.of(
                                "model.name",
                                "austen-bert",
                                "model.kind",
                                "bert",
                                "model.preset",
                                "tiny",
                                "steps.per.version",
                                "20",
                                "heldout.fraction",
                                "0.2"));
        try {
            List<ModelVersionRecord> v = versions(topics, 2, Duration.ofMinutes(4));
            assertThat(v.get(1).kind()).isEqualTo("bert");
            assertThat(v.get(1).metrics().get("loss"))
                    .isFinite()
                    .isLessThan(v.get(0).metrics().get("loss"));
            try (io.belamy.core.bert.BertModel bert =
                    io.belamy.core.bert.BertModel.load(Path.of(URI.create(v.get(1).uri())))) {
                var filled =
                        new io.belamy.core.bert.FillMask(bert).fill("Anne Elliot was a [MASK].", 3);
                assertThat(filled.masks())
                        .singleElement()
                        .satisfies(m -> assertThat(m.candidates()).hasSize(3));
            }
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
