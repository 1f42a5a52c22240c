package io.belamy.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.belamy.streaming.ConfigKey;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/config.md documents every option of the generation job. */
class ConfigDocsTest {

    @Test
    void everyKeyIsDocumented() throws Exception {
        Path docs = Path.of("..", "docs", "config.md");
        assertThat(docs).as("docs/config.md beside the modules").isRegularFile();
        String text = Files.readString(docs);
        for (ConfigKey<?> key : GenerateJob.KEYS) {
            assertThat(text)
                    .as("docs/config.md lists %s", key.name())
                    .contains("| `" + key.name() + "` |");
        }
    }
}
