package io.belamy.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.belamy.app.runtime.EmbeddedRuntime;
import io.belamy.core.generation.Generation;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.generation.TextGenerator;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user does by hand with a non-Java client: {@code docs/examples/kcat-prompt.sh} publishes a
 * prompt with kcat and reads the whole reply with kcat.
 */
class KcatIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path work;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void kcatPublishesAPromptAndReadsTheCompleteReply() throws Exception {
        Path script =
                Path.of(System.getProperty("belamy.home", ".."))
                        .resolve("docs/examples/kcat-prompt.sh");
        assertThat(script).as("the example script").isRegularFile();
        assertThat(onPath("kcat"))
                .as("kcat must be installed (Debian package kcat; .ci/run installs it)")
                .isTrue();
        Path model = Fixtures.dir(Fixtures.GPT2_TINY);
        String prompt = "She said \"hello\"\tand left.";
        try (EmbeddedRuntime runtime = Runtimes.start(work)) {
            Runtimes.serve(runtime, model, Map.of());
            ProcessBuilder pb =
                    new ProcessBuilder(
                                    "bash",
                                    script.toString(),
                                    runtime.kafka().bootstrapServers(),
                                    "kcat-1",
                                    prompt)
                            .redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put("BELAMY_PARAMS", "{\"maxTokens\":12,\"temperature\":0}");
            pb.environment().put("BELAMY_TIMEOUT", "90");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();

            List<JsonNode> records = new ArrayList<>();
            for (String line : out.strip().split("\n")) {
                records.add(JSON.readTree(line));
            }
            JsonNode last = records.get(records.size() - 1);
            assertThat(last.get("done").asBoolean()).isTrue();
            StringBuilder deltas = new StringBuilder();
            for (int i = 0; i < records.size() - 1; i++) {
                assertThat(records.get(i).get("seq").asInt()).isEqualTo(i);
                deltas.append(records.get(i).get("delta").asText());
            }
            assertThat(deltas.toString()).isEqualTo(last.get("text").asText());
            try (GptModel gpt = GptModel.load(model)) {
                Generation expected =
                        new TextGenerator(gpt).generate(prompt, SamplingParams.greedy(12), t -> {});
                assertThat(last.get("text").asText()).isEqualTo(expected.text());
            }
        }
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
