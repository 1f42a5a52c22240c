package io.belamy.app;

import io.belamy.app.client.PromptProducer;
import io.belamy.app.client.ReplyConsumer;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.topic.PromptParams;
import io.belamy.core.topic.PromptRecord;
import io.belamy.core.topic.TextReply;
import io.belamy.core.topic.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "prompt",
        mixinStandardHelpOptions = true,
        description = {
            "Publish a text prompt to <prefix>prompts and print the reply as it streams from"
                    + " <prefix>generated.text (repeated chunks are dropped).",
            "Exit codes: 0 done, 1 error reply, 2 invalid options, 3 no reply before --timeout."
        })
final class PromptCommand implements Callable<Integer> {

    static final int TIMEOUT = 3;

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TEXT", description = "The prompt.")
    String text;

    @Mixin SamplingOptions sampling;

    @Mixin KafkaOptions kafkaOptions;

    @Option(names = "--id", paramLabel = "ID", description = "Request id (default: a random one).")
    String id;

    @Option(
            names = "--model",
            paramLabel = "NAME",
            description = "Model name (default: the one the job serves).")
    String model;

    @Option(names = "--model-version", paramLabel = "N", description = "Pin a model version.")
    Long modelVersion;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            description =
                    "Give up waiting for the reply after this many seconds (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds = 120;

    @Option(
            names = "--read-committed",
            description = "Read only committed replies (for a job in exactly-once mode).")
    boolean readCommitted;

    @Option(
            names = "--json",
            description = "Print the final reply record as JSON instead of streaming text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SamplingParams params = sampling.toParams();
        String requestId = id != null ? id : "p-" + UUID.randomUUID().toString().substring(0, 12);
        PromptRecord prompt =
                new PromptRecord(
                        PromptRecord.VERSION,
                        requestId,
                        PromptRecord.TEXT,
                        model,
                        modelVersion,
                        text,
                        PromptParams.of(params));
        KafkaSettings kafka = kafkaOptions.kafka();
        Topics topics = kafkaOptions.topics();
        TextReply reply;
        try (ReplyConsumer replies = new ReplyConsumer(kafka, topics, readCommitted);
                PromptProducer producer = new PromptProducer(kafka, topics)) {
            producer.send(prompt);
            reply =
                    replies.await(
                            requestId,
                            Duration.ofSeconds(timeoutSeconds),
                            json
                                    ? d -> {}
                                    : d -> {
                                        out.print(d);
                                        out.flush();
                                    });
        } catch (TimeoutException e) {
            if (!json) {
                out.println();
            }
            err.println(
                    "belamy prompt: "
                            + e.getMessage()
                            + " (is 'belamy serve' running on "
                            + topics.prompts().name()
                            + "?)");
            return TIMEOUT;
        }
        if (json) {
            out.println(TextReply.CODEC.toJson(reply));
        } else {
            out.println();
        }
        out.flush();
        if (reply instanceof TextReply.Error e) {
            err.println("belamy prompt: error " + e.error().code() + ": " + e.error().message());
            return Errors.FAILURE;
        }
        TextReply.Result r = (TextReply.Result) reply;
        if (!json) {
            err.printf(
                    Locale.ROOT,
                    "[%s: %d new tokens, finish: %s, model %s v%d, seed %d, queue %d ms, first token %d ms,"
                            + " total %d ms]%n",
                    r.id(),
                    r.usage().completionTokens(),
                    r.finishReason(),
                    r.model().name(),
                    r.model().version(),
                    r.seed(),
                    r.timings().queueMs(),
                    r.timings().ttftMs(),
                    r.timings().totalMs());
        }
        return 0;
    }
}
