package io.belamy.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.belamy.app.client.PromptProducer;
import io.belamy.app.client.ReplyConsumer;
import io.belamy.app.cluster.LocalCluster;
import io.belamy.core.generation.Generation;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.generation.TextGenerator;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.testing.Fixtures;
import io.belamy.core.topic.ModelVersionRecord;
import io.belamy.core.topic.PromptParams;
import io.belamy.core.topic.PromptRecord;
import io.belamy.core.topic.TextReply;
import io.belamy.core.topic.Topics;
import io.belamy.ingest.TextIngest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jobs on a real multi-process cluster: a Kafka broker JVM, a Flink JobManager and a
 * TaskManager started by {@link LocalCluster}, jobs submitted over Flink's REST API.
 */
class ClusterIT {

    private static final Path LIB = Path.of("..", "app", "target", "lib");
    private static final Path DATA = Path.of("..", "data", "text");

    @TempDir Path work;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void generationAnswersAndTrainingPublishesVersionsOnSeparateProcesses() throws Exception {
        assertThat(LIB).as("belamy's runtime jars (mvn package)").isDirectory();
        StringWriter log = new StringWriter();
        LocalCluster cluster = new LocalCluster(work.resolve("cluster"), LIB);
        LocalCluster.State s = null;
        try {
            s = cluster.up(1, 2, Topics.defaults(), new PrintWriter(log, true));
            long self = ProcessHandle.current().pid();
            assertThat(s.pids()).hasSize(3).doesNotContain(self).allMatch(LocalCluster::alive);
            assertThat(LocalCluster.rest(s, "/overview").path("taskmanagers").asInt()).isEqualTo(1);

            Path jar = cluster.jobJar();
            Path model = Fixtures.dir(Fixtures.GPT2_TINY).toAbsolutePath();
            LocalCluster.submit(
                    s,
                    jar,
                    "io.belamy.generate.GenerateJob",
                    List.of(
                            "--bootstrap.servers",
                            s.bootstrap(),
                            "--model.dir",
                            model.toString(),
                            "--checkpoint.interval",
                            "2s"));
            KafkaSettings kafka = KafkaSettings.of(s.bootstrap());
            Topics topics = Topics.defaults();
            SamplingParams params = SamplingParams.builder().maxTokens(16).seed(3L).build();
            try (ReplyConsumer replies = new ReplyConsumer(kafka, topics, false);
                    PromptProducer prompts = new PromptProducer(kafka, topics)) {
                prompts.send(PromptRecord.text("c1", "Emma Woodhouse,", PromptParams.of(params)));
                TextReply r = replies.await("c1", Duration.ofMinutes(2), d -> {});
                assertThat(r).isInstanceOf(TextReply.Result.class);
                try (GptModel local = GptModel.load(model)) {
                    Generation want =
                            new TextGenerator(local).generate("Emma Woodhouse,", params, t -> {});
                    assertThat(((TextReply.Result) r).text()).isEqualTo(want.text());
                }
            }

            // train-text beside it, on the same TaskManager (DJL loaded once, parent-first)
            Path corpus = work.resolve("corpus");
            Files.createDirectories(corpus);
            for (String f : List.of("1790_george_washington.txt", "1791_george_washington.txt")) {
                Files.copy(DATA.resolve("sotu").resolve(f), corpus.resolve(f));
            }
            new TextIngest(
                            kafka,
                            topics,
                            new TextIngest.Options(
                                    "washington", TextIngest.BadBytes.REPLACE, false),
                            new PrintWriter(log, true))
                    .run(List.of(corpus), false);
            LocalCluster.submit(
                    s,
                    jar,
                    "io.belamy.train.TrainTextJob",
                    List.of(
                            "--bootstrap.servers",
                            s.bootstrap(),
                            "--model.name",
                            "washington",
                            "--model.from",
                            model.toString(),
                            "--model.store",
                            work.resolve("store").toString(),
                            "--batch.size",
                            "4",
                            "--sequence.length",
                            "32",
                            "--steps.per.version",
                            "5",
                            "--checkpoint.interval",
                            "2s"));
            ModelVersionRecord v =
                    ModelVersionRecord.CODEC.decode(
                            KafkaRecords.readUntil(
                                            kafka,
                                            topics.models().name(),
                                            true,
                                            Duration.ofMinutes(3),
                                            rs -> !rs.isEmpty())
                                    .get(0)
                                    .value());
            assertThat(v.name()).isEqualTo("washington");
            assertThat(v.counters().get("steps")).isGreaterThanOrEqualTo(5);
            assertThat(Path.of(java.net.URI.create(v.uri())).resolve("model.safetensors")).exists();
            assertThat(LocalCluster.rest(s, "/jobs/overview").path("jobs"))
                    .extracting(j -> j.path("state").asText())
                    .containsOnly("RUNNING");
        } finally {
            List<Long> stopped = cluster.down();
            if (s != null) {
                assertThat(stopped).containsExactlyInAnyOrderElementsOf(s.pids());
                assertThat(s.pids()).noneMatch(LocalCluster::alive);
            }
        }
    }
}
