package io.belamy.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.belamy.streaming.ConfigKey;
import io.belamy.streaming.JobArgs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {

    @Test
    void everyKeyIsDocumentedInItsJobsSection() throws Exception {
        String text = Files.readString(Path.of("..", "docs", "config.md"));
        String common = section(text, "## Every job");
        assertKeysListed(TrainTextJob.KEYS, common, section(text, "## train-text"));
        assertKeysListed(TrainMusicJob.KEYS, common, section(text, "## train-music"));
    }

    private static void assertKeysListed(List<ConfigKey<?>> keys, String common, String section) {
        for (ConfigKey<?> key : keys) {
            String row = "| `" + key.name() + "` |";
            assertThat(common.contains(row) || section.contains(row))
                    .as("docs/config.md lists %s in %s", key.name(), section.lines().findFirst())
                    .isTrue();
        }
    }

    /** The text from {@code heading} to the next level-2 heading. */
    private static String section(String text, String heading) {
        int start = text.indexOf(heading + "\n");
        assertThat(start).as("docs/config.md has %s", heading).isNotNegative();
        int end = text.indexOf("\n## ", start + heading.length());
        return text.substring(start, end < 0 ? text.length() : end);
    }

    @Test
    void settingsComeFromTheOptionsWithTheDocumentedDefaults() {
        TrainSettings preset =
                TrainTextJob.settings(
                        JobArgs.of(
                                Map.of(
                                        "bootstrap.servers",
                                        "h:1",
                                        "model.name",
                                        "m",
                                        "model.preset",
                                        "tiny",
                                        "model.store",
                                        "/tmp/s"),
                                TrainTextJob.KEYS));
        assertThat(preset.training().schedule().peak()).isEqualTo(1e-3);
        assertThat(preset.training().schedule().warmupSteps()).isEqualTo(100);
        assertThat(preset.training().batchSize()).isEqualTo(16);
        assertThat(preset.stepsPerVersion()).isEqualTo(200);

        TrainSettings fineTune =
                TrainTextJob.settings(
                        JobArgs.of(
                                Map.of(
                                        "bootstrap.servers",
                                        "h:1",
                                        "model.name",
                                        "m",
                                        "model.from",
                                        "/some/dir",
                                        "model.store",
                                        "/tmp/s"),
                                TrainTextJob.KEYS));
        assertThat(fineTune.training().schedule().peak()).isEqualTo(1e-4);
        assertThat(fineTune.source().fineTuning()).isTrue();

        assertThatThrownBy(
                        () ->
                                TrainTextJob.settings(
                                        JobArgs.of(
                                                Map.of(
                                                        "bootstrap.servers",
                                                        "h:1",
                                                        "model.name",
                                                        "m",
                                                        "model.store",
                                                        "/tmp/s"),
                                                TrainTextJob.KEYS)))
                .hasMessageContaining(
                        "give either a preset or a directory to start from, not neither");
        assertThatThrownBy(
                        () ->
                                JobArgs.of(
                                        Map.of(
                                                "bootstrap.servers",
                                                "h:1",
                                                "model.name",
                                                "bad name!",
                                                "model.store",
                                                "/s"),
                                        TrainTextJob.KEYS))
                .hasMessageContaining("invalid value \"bad name!\" for model.name");
        assertThatThrownBy(
                        () ->
                                JobArgs.of(
                                        Map.of(
                                                "bootstrap.servers",
                                                "h:1",
                                                "model.name",
                                                "m",
                                                "model.store",
                                                "/s",
                                                "model.preset",
                                                "tiny",
                                                "batch.size",
                                                "0"),
                                        TrainTextJob.KEYS))
                .hasMessageContaining("invalid value \"0\" for batch.size")
                .hasMessageContaining("[1, 4096]");
        assertThatThrownBy(
                        () ->
                                JobArgs.of(
                                        Map.of(
                                                "bootstrap.servers",
                                                "h:1",
                                                "model.name",
                                                "m",
                                                "model.store",
                                                "/s",
                                                "model.preset",
                                                "tiny",
                                                "learning.rat",
                                                "1"),
                                        TrainTextJob.KEYS))
                .hasMessageContaining("unknown option --learning.rat");
    }
}
