package io.belamy.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.belamy.core.generation.Generation;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.generation.TextGenerator;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.testing.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class GenerateCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path model = Fixtures.dir(Fixtures.GPT2_TINY);

    record Run(int exitCode, String out, String err) {}

    static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void jsonOutputCarriesTextIdsAndFinishReasonLikeTheLibrary() throws Exception {
        Run r =
                run(
                        "generate",
                        "--model",
                        model.toString(),
                        "--prompt",
                        "The weather was",
                        "--seed",
                        "42",
                        "--max-tokens",
                        "20",
                        "--stop",
                        ",",
                        "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = JSON.readTree(r.out());

        SamplingParams params =
                SamplingParams.builder().seed(42L).maxTokens(20).stop(List.of(",")).build();
        try (GptModel gpt = GptModel.load(model)) {
            Generation expected =
                    new TextGenerator(gpt).generate("The weather was", params, t -> {});
            assertThat(json.get("text").asText()).isEqualTo(expected.text());
            assertThat(Fixtures.ints(json.get("tokenIds"))).containsExactly(expected.tokenIds());
            assertThat(json.get("finishReason").asText())
                    .isEqualTo(expected.finishReason().wireName());
        }
        assertThat(json.get("seed").asLong()).isEqualTo(42);
        assertThat(json.get("usage").get("promptTokens").asInt()).isEqualTo(4);
        assertThat(json.get("timings").get("totalMs").asDouble()).isPositive();
    }

    @Test
    void plainOutputStreamsTheContinuationAndSummarisesOnStderr() {
        Run r =
                run(
                        "generate",
                        "--model",
                        model.toString(),
                        "--prompt",
                        "Emma Woodhouse, handsome, clever, and rich,",
                        "--temperature",
                        "0",
                        "--max-tokens",
                        "24");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
                .isEqualTo(
                        " and\nof the first duty, and the same life, and the same\nof the first.\n\n");
        assertThat(r.err()).contains("24 new tokens, finish: length");
    }

    @Test
    void helpDocumentsEveryOption() {
        Run r = run("generate", "--help");
        assertThat(r.exitCode()).isZero();
        for (String option :
                List.of(
                        "--model",
                        "--prompt",
                        "--max-tokens",
                        "--temperature",
                        "--top-k",
                        "--top-p",
                        "--repetition-penalty",
                        "--stop",
                        "--seed",
                        "--json",
                        "--truncate")) {
            assertThat(r.out()).contains(option);
        }
        Run top = run("--help");
        assertThat(top.out()).contains("generate").contains("Commands:");
    }

    @Test
    void invalidValuesExitWith2AndNameTheValue() {
        Run negative =
                run(
                        "generate",
                        "--model",
                        model.toString(),
                        "--prompt",
                        "x",
                        "--temperature",
                        "-1");
        assertThat(negative.exitCode()).isEqualTo(2);
        assertThat(negative.err())
                .contains("temperature must be a finite number >= 0")
                .contains("-1.0");

        Run topP = run("generate", "--model", model.toString(), "--prompt", "x", "--top-p", "1.5");
        assertThat(topP.exitCode()).isEqualTo(2);
        assertThat(topP.err()).contains("topP must be in (0, 1], got 1.5");

        Run tokens =
                run("generate", "--model", model.toString(), "--prompt", "x", "--max-tokens", "0");
        assertThat(tokens.exitCode()).isEqualTo(2);
        assertThat(tokens.err()).contains("maxTokens must be >= 1, got 0");

        Run tooLong = run("generate", "--model", model.toString(), "--prompt", "the ".repeat(100));
        assertThat(tooLong.exitCode()).isEqualTo(2);
        assertThat(tooLong.err()).contains("context is 64 tokens");

        Run notANumber =
                run("generate", "--model", model.toString(), "--prompt", "x", "--top-k", "many");
        assertThat(notANumber.exitCode()).isEqualTo(2);
        assertThat(notANumber.err()).contains("--top-k").contains("many");
    }

    @Test
    void aMissingModelExitsWith1AndNamesThePath() {
        Run r = run("generate", "--model", "/no/such/model", "--prompt", "x");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("/no/such/model: model directory not found");
    }
}
