package io.belamy.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.belamy.core.generation.Generation;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.generation.TextGenerator;
import io.belamy.core.gpt.GptModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = {
            "Continue a prompt with a GPT model directory, locally (no Kafka, no Flink).",
            "The continuation is printed as it is generated; a summary goes to stderr."
        })
final class GenerateCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description =
                    "Hugging Face GPT-2 directory: config.json, model.safetensors, tokenizer.json.")
    Path model;

    @Option(
            names = "--prompt",
            required = true,
            paramLabel = "TEXT",
            description = "Text to continue.")
    String prompt;

    @Mixin SamplingOptions sampling;

    @Option(
            names = "--json",
            description =
                    "Print one JSON object at the end instead: text, tokenIds, finishReason"
                            + " (length | stop | eos), usage, seed and timings.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        SamplingParams params = sampling.toParams();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (GptModel gpt = GptModel.load(model)) {
            TextGenerator generator = new TextGenerator(gpt);
            Generation g =
                    generator.generate(
                            prompt,
                            params,
                            json
                                    ? piece -> {}
                                    : piece -> {
                                        out.print(piece);
                                        out.flush();
                                    });
            if (json) {
                out.println(JSON.writeValueAsString(toJson(g)));
            } else {
                out.println();
                err.printf(
                        Locale.ROOT,
                        "[%d prompt + %d new tokens, finish: %s, seed %d, %.1f tokens/s, first token"
                                + " after %.0f ms]%n",
                        g.promptTokenIds().length,
                        g.tokenIds().length,
                        g.finishReason().wireName(),
                        g.seed(),
                        g.tokenIds().length / Math.max(1e-9, g.totalNanos() / 1e9),
                        g.timeToFirstTokenNanos() / 1e6);
            }
            out.flush();
        }
        return 0;
    }

    private ObjectNode toJson(Generation g) {
        ObjectNode o = JSON.createObjectNode();
        o.put("model", model.toString());
        o.put("text", g.text());
        var ids = o.putArray("tokenIds");
        for (int id : g.tokenIds()) {
            ids.add(id);
        }
        o.put("finishReason", g.finishReason().wireName());
        ObjectNode usage = o.putObject("usage");
        usage.put("promptTokens", g.promptTokenIds().length);
        usage.put("completionTokens", g.tokenIds().length);
        o.put("seed", g.seed());
        ObjectNode timings = o.putObject("timings");
        timings.put("ttftMs", g.timeToFirstTokenNanos() / 1e6);
        timings.put("totalMs", g.totalNanos() / 1e6);
        return o;
    }
}
