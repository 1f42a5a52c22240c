package io.belamy.core.gpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GptConfigTest {

    @Test
    void presetsHaveTheDocumentedSizes() {
        assertThat(GptConfig.tiny().parameterCount()).isBetween(800_000L, 900_000L);
        assertThat(GptConfig.small().parameterCount()).isBetween(10_700_000L, 11_000_000L);
        assertThat(GptConfig.preset("small")).isEqualTo(GptConfig.small());
        assertThat(GptConfig.tiny().headSize()).isEqualTo(32);
    }

    @Test
    void invalidValuesAreNamed() {
        assertThatThrownBy(() -> new GptConfig(100, 64, 100, 2, 3, 400, 1e-5f, 0f, 0, 0))
                .hasMessage("embedding size 100 is not divisible by 3 heads");
        assertThatThrownBy(() -> new GptConfig(0, 64, 64, 2, 4, 256, 1e-5f, 0f, 0, 0))
                .hasMessage("vocab size must be >= 1, got 0");
        assertThatThrownBy(() -> new GptConfig(100, 64, 64, 2, 4, 256, 0f, 0f, 0, 0))
                .hasMessageContaining("layer norm epsilon must be > 0, got 0.0");
        assertThatThrownBy(() -> new GptConfig(100, 64, 64, 2, 4, 256, 1e-5f, 1f, 0, 0))
                .hasMessage("dropout must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> new GptConfig(100, 64, 64, 2, 4, 256, 1e-5f, 0f, 0, 100))
                .hasMessageContaining("eos token id 100 is outside the vocabulary [0, 100)");
        assertThatThrownBy(() -> GptConfig.preset("huge"))
                .hasMessage("unknown GPT preset \"huge\" (presets: tiny, small)");
    }
}
