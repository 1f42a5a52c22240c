package io.belamy.tests;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.belamy.app.Main;
import io.belamy.app.client.PromptProducer;
import io.belamy.app.client.ReplyConsumer;
import io.belamy.app.runtime.EmbeddedRuntime;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.testing.Fixtures;
import io.belamy.core.topic.DeadLetter;
import io.belamy.core.topic.PromptParams;
import io.belamy.core.topic.PromptRecord;
import io.belamy.core.topic.TextReply;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Prompts through a real Kafka broker and the generation job on a Flink MiniCluster. */
class GenerateJobIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(60);

    @TempDir Path work;

    private final Path model = Fixtures.dir(Fixtures.GPT2_TINY);

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void validPromptsStreamRepliesInvalidOnesGetErrorsAndDeadLettersAndTheJobGoesOn()
            throws Exception {
        try (EmbeddedRuntime runtime = Runtimes.start(work)) {
            JobClient job = Runtimes.serve(runtime, model, Map.of());
            try (ReplyConsumer replies =
                            new ReplyConsumer(runtime.kafka(), runtime.topics(), false);
                    PromptProducer prompts =
                            new PromptProducer(runtime.kafka(), runtime.topics())) {
                List<SamplingParams> params =
                        List.of(
                                SamplingParams.builder().maxTokens(20).seed(1L).build(),
                                SamplingParams.builder().maxTokens(30).temperature(0).build(),
                                SamplingParams.builder()
                                        .maxTokens(25)
                                        .temperature(1.2f)
                                        .topK(0)
                                        .topP(0.9f)
                                        .stop(List.of("."))
                                        .seed(7L)
                                        .build());
                List<String> texts =
                        List.of(
                                "Emma Woodhouse, handsome,",
                                "It is a truth universally",
                                "The weather was");
                for (int i = 0; i < 3; i++) {
                    prompts.send(
                            PromptRecord.text(
                                    "ok-" + i, texts.get(i), PromptParams.of(params.get(i))));
                }
                // not JSON (the key still names the request) and a top-p out of range
                prompts.send("bad-json", "{\"id\": \"bad-json\", ".getBytes(UTF_8));
                prompts.send(
                        "bad-params",
                        "{\"v\":1,\"id\":\"bad-params\",\"task\":\"text\",\"prompt\":\"x\",\"params\":{\"topP\":1.5}}"
                                .getBytes(UTF_8));

                // too long for the tiny model's 64-token context
                prompts.send(
                        PromptRecord.text(
                                "too-long",
                                "the ".repeat(100),
                                PromptParams.of(SamplingParams.greedy(4))));
                for (int i = 0; i < 3; i++) {
                    StringBuilder streamed = new StringBuilder();
                    TextReply reply = replies.await("ok-" + i, REPLY_TIMEOUT, streamed::append);
                    assertThat(reply).isInstanceOf(TextReply.Result.class);
                    TextReply.Result result = (TextReply.Result) reply;
                    JsonNode local = generateLocally(texts.get(i), params.get(i), result.seed());
                    assertThat(result.text()).isEqualTo(local.get("text").asText());
                    assertThat(streamed.toString()).isEqualTo(result.text());
                    assertThat(result.finishReason()).isEqualTo(local.get("finishReason").asText());
                    assertThat(result.usage().completionTokens())
                            .isEqualTo(local.get("tokenIds").size());
                    assertThat(result.model().name()).isEqualTo("gpt2-tiny");
                    assertThat(result.timings().totalMs())
                            .isGreaterThanOrEqualTo(result.timings().ttftMs());
                }
                TextReply badJson = replies.await("bad-json", REPLY_TIMEOUT, d -> {});
                assertThat(badJson).isInstanceOf(TextReply.Error.class);
                assertThat(((TextReply.Error) badJson).error().code()).isEqualTo("invalid_json");
                TextReply badParams = replies.await("bad-params", REPLY_TIMEOUT, d -> {});
                assertThat(((TextReply.Error) badParams).error().code())
                        .isEqualTo("invalid_params");
                assertThat(((TextReply.Error) badParams).error().message())
                        .contains("topP must be in (0, 1], got 1.5");

                TextReply tooLong = replies.await("too-long", REPLY_TIMEOUT, d -> {});
                assertThat(((TextReply.Error) tooLong).error().code()).isEqualTo("prompt_too_long");
                assertThat(((TextReply.Error) tooLong).error().message())
                        .contains("context is 64 tokens");

                List<DeadLetter> letters = readAll(runtime, runtime.topics().dlq().name(), 3);
                assertThat(letters)
                        .extracting(l -> l.source().key())
                        .containsExactlyInAnyOrder("bad-json", "bad-params", "too-long");
                assertThat(letters)
                        .allSatisfy(
                                l -> assertThat(l.source().topic()).isEqualTo("belamy.prompts"));
                assertThat(letters)
                        .extracting(l -> l.error().code())
                        .containsExactlyInAnyOrder(
                                "invalid_json", "invalid_params", "prompt_too_long");

                assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS))
                        .isEqualTo(JobStatus.RUNNING);
                prompts.send(
                        PromptRecord.text(
                                "sixth",
                                "Mr. Knightley",
                                PromptParams.of(SamplingParams.greedy(8))));
                TextReply sixth = replies.await("sixth", REPLY_TIMEOUT, d -> {});
                assertThat(sixth).isInstanceOf(TextReply.Result.class);
                assertThat(((TextReply.Result) sixth).usage().completionTokens()).isEqualTo(8);
            }
        }
    }

    /** What {@code belamy generate --json} prints for the same model, prompt, params and seed. */
    private JsonNode generateLocally(String prompt, SamplingParams p, long seed) throws Exception {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "generate",
                                "--model",
                                model.toString(),
                                "--prompt",
                                prompt,
                                "--json",
                                "--max-tokens",
                                "" + p.maxTokens(),
                                "--temperature",
                                "" + p.temperature(),
                                "--top-k",
                                "" + p.topK(),
                                "--top-p",
                                "" + p.topP(),
                                "--seed",
                                "" + seed));
        for (String s : p.stop()) {
            args.add("--stop");
            args.add(s);
        }
        CommandLine cli = Main.commandLine();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        cli.setOut(new java.io.PrintWriter(new PrintStream(out, true, UTF_8), true));
        assertThat(cli.execute(args.toArray(String[]::new))).isZero();
        return JSON.readTree(out.toString(UTF_8));
    }

    static List<DeadLetter> readAll(EmbeddedRuntime runtime, String topic, int expected) {
        Properties p = runtime.kafka().clientConfig();
        p.setProperty("key.deserializer", StringDeserializer.class.getName());
        p.setProperty("value.deserializer", ByteArrayDeserializer.class.getName());
        List<DeadLetter> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(DeadLetter.CODEC.decode(r.value()));
                }
            }
            // nothing beyond the expected ones
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                out.add(DeadLetter.CODEC.decode(r.value()));
            }
        }
        return out;
    }
}
