package io.belamy.app;

import io.belamy.app.client.MusicReplyConsumer;
import io.belamy.app.client.PromptProducer;
import io.belamy.app.client.ReplyConsumer;
import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.topic.MusicReply;
import io.belamy.core.topic.PromptParams;
import io.belamy.core.topic.PromptRecord;
import io.belamy.core.topic.TextReply;
import io.belamy.core.topic.Topics;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
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
            "With --music, ask a served music GAN for a piece instead and write the MIDI file of"
                    + " the reply (<prefix>generated.music) to -o FILE.",
            "Exit codes: 0 done, 1 error reply, 2 invalid options, 3 no reply before --timeout."
        })
final class PromptCommand implements Callable<Integer> {

    static final int TIMEOUT = 3;

    @Spec CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "TEXT",
            description = "The prompt (text prompts; optional with --music).")
    String text;

    @Option(names = "--music", description = "A music prompt (task music) instead of text.")
    boolean music;

    @Option(
            names = "--fill-mask",
            description =
                    "A fill-mask prompt (task fill-mask, for a served BERT): TEXT has [MASK]s.")
    boolean fillMask;

    @Option(
            names = "--candidates",
            paramLabel = "K",
            description = "Fill-mask: candidates per mask, 1 to 100 (default: 5).")
    Integer candidates;

    @Option(names = "--bars", paramLabel = "N", description = "Music: bars, 1 to 64 (default: 4).")
    Integer bars;

    @Option(
            names = "--tempo",
            paramLabel = "BPM",
            description = "Music: beats per minute (default: 120).")
    Float tempo;

    @Option(
            names = "--tracks",
            split = ",",
            paramLabel = "TRACK",
            description = "Music: tracks to keep, e.g. drums,bass (default: all of the model's).")
    List<String> tracks;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description = "Music: where to write the MIDI file (required with --music).")
    Path output;

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
        if (music) {
            return music();
        }
        if (text == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "give the prompt TEXT (or --music for a piece)");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String requestId = id != null ? id : "p-" + UUID.randomUUID().toString().substring(0, 12);
        PromptRecord prompt =
                new PromptRecord(
                        PromptRecord.VERSION,
                        requestId,
                        fillMask ? PromptRecord.FILL_MASK : PromptRecord.TEXT,
                        model,
                        modelVersion,
                        text,
                        fillMask
                                ? new PromptParams(
                                        null,
                                        null,
                                        candidates,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null)
                                : PromptParams.of(sampling.toParams()));
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
        if (!json && r.masks() != null) {
            out.println(r.text());
            for (var m : r.masks()) {
                StringBuilder line = new StringBuilder();
                for (var c : m.candidates()) {
                    line.append(String.format(Locale.ROOT, "  %s %.3f", c.token(), c.score()));
                }
                out.printf(
                        Locale.ROOT,
                        "[MASK] at %d -> %s:%s%n",
                        m.position(),
                        m.filled().token(),
                        line);
            }
            out.flush();
            err.printf(
                    Locale.ROOT,
                    "[%s: %d masks, model %s v%d, total %d ms]%n",
                    r.id(),
                    r.masks().size(),
                    r.model().name(),
                    r.model().version(),
                    r.timings().totalMs());
            return 0;
        }
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

    private int music() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (output == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--music needs -o FILE for the MIDI file");
        }
        String requestId = id != null ? id : "m-" + UUID.randomUUID().toString().substring(0, 12);
        PromptRecord prompt =
                new PromptRecord(
                        PromptRecord.VERSION,
                        requestId,
                        PromptRecord.MUSIC,
                        model,
                        modelVersion,
                        text,
                        new PromptParams(
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                sampling.seed,
                                null,
                                bars,
                                tempo,
                                tracks));
        KafkaSettings kafka = kafkaOptions.kafka();
        Topics topics = kafkaOptions.topics();
        MusicReply reply;
        try (MusicReplyConsumer replies = new MusicReplyConsumer(kafka, topics, readCommitted);
                PromptProducer producer = new PromptProducer(kafka, topics)) {
            producer.send(prompt);
            reply = replies.await(requestId, Duration.ofSeconds(timeoutSeconds));
        } catch (TimeoutException e) {
            err.println(
                    "belamy prompt: "
                            + e.getMessage()
                            + " (is 'belamy serve' serving a music model on "
                            + topics.prompts().name()
                            + "?)");
            return TIMEOUT;
        }
        if (json) {
            out.println(MusicReply.CODEC.toJson(reply));
        }
        if (reply instanceof MusicReply.Error e) {
            err.println("belamy prompt: error " + e.error().code() + ": " + e.error().message());
            return Errors.FAILURE;
        }
        MusicReply.Result r = (MusicReply.Result) reply;
        Files.write(output, Base64.getDecoder().decode(r.midi()));
        out.printf(
                Locale.ROOT,
                "wrote %s: %d bars, %d tracks, %d notes (model %s v%d, seed %d, %d ms)%n",
                output,
                r.summary().bars(),
                r.summary().tracks(),
                r.summary().notes(),
                r.model().name(),
                r.model().version(),
                r.seed(),
                r.timings().totalMs());
        if (!json) {
            new java.util.TreeMap<>(r.metrics())
                    .forEach((k, v) -> out.printf(Locale.ROOT, "  %-20s %.3f%n", k, v));
        }
        out.flush();
        return 0;
    }
}
