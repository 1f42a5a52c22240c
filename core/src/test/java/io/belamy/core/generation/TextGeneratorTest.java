package io.belamy.core.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.belamy.core.gpt.Gpt;
import io.belamy.core.gpt.GptConfig;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.testing.Fixtures;
import io.belamy.core.tokenizer.Tokenizers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Decoding behaviour on the gpt2-tiny fixture (a model trained briefly on English text). */
class TextGeneratorTest {

    private static final String PROMPT = "Emma Woodhouse, handsome, clever, and rich,";

    private static GptModel model;
    private static TextGenerator generator;

    @BeforeAll
    static void load() throws Exception {
        model = GptModel.load(Fixtures.dir(Fixtures.GPT2_TINY));
        generator = new TextGenerator(model);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static SamplingParams.Builder sampling() {
        return SamplingParams.builder().temperature(1.0f).topK(0).topP(1.0f).maxTokens(30);
    }

    @Test
    void sameSeedGivesTheSameTextAndDifferentSeedsDiffer() {
        Generation a = generator.generate(PROMPT, sampling().seed(11L).build(), t -> {});
        Generation b = generator.generate(PROMPT, sampling().seed(11L).build(), t -> {});
        Generation c = generator.generate(PROMPT, sampling().seed(12L).build(), t -> {});
        assertThat(a.tokenIds()).containsExactly(b.tokenIds());
        assertThat(a.text()).isEqualTo(b.text());
        assertThat(a.seed()).isEqualTo(11L);
        assertThat(c.text()).isNotEqualTo(a.text());
    }

    @Test
    void kvCacheAndFullRecomputeGenerateTheSameTokens() {
        SamplingParams params = sampling().seed(5L).maxTokens(40).build();
        Generation cached = generator.generate(PROMPT, params, t -> {});
        Generation recomputed = new TextGenerator(model, false).generate(PROMPT, params, t -> {});
        assertThat(recomputed.tokenIds()).containsExactly(cached.tokenIds());
    }

    @Test
    void streamedPiecesConcatenateToTheText() {
        List<String> pieces = new ArrayList<>();
        Generation g = generator.generate(PROMPT, sampling().seed(3L).build(), pieces::add);
        assertThat(String.join("", pieces)).isEqualTo(g.text());
        assertThat(pieces).allSatisfy(p -> assertThat(p).isNotEmpty());
        assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(g.tokenIds()).hasSize(30);
        assertThat(g.timeToFirstTokenNanos()).isPositive().isLessThanOrEqualTo(g.totalNanos());
    }

    @Test
    void stopStringSplitAcrossTokensIsCutAndNeverStreamed() {
        // Greedy continuation: " and" "\n" "of" " the" " first" ... (reference.json)
        SamplingParams greedy = SamplingParams.greedy(24);
        Generation full = generator.generate(PROMPT, greedy, t -> {});
        assertThat(full.text()).startsWith(" and\nof the first");

        List<String> pieces = new ArrayList<>();
        Generation cut =
                generator.generate(
                        PROMPT, greedy.toBuilder().stop(List.of("d\no")).build(), pieces::add);
        assertThat(cut.text()).isEqualTo(" an");
        assertThat(cut.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(String.join("", pieces)).isEqualTo(" an");
        assertThat(cut.tokenIds()).hasSize(3); // " and", "\n", "of" were generated

        Generation inside =
                generator.generate(
                        PROMPT, greedy.toBuilder().stop(List.of("zzz", "first")).build(), t -> {});
        assertThat(inside.text()).isEqualTo(" and\nof the ");
        assertThat(inside.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void aStopStringThatNeverAppearsIsReleasedAtTheEnd() {
        List<String> pieces = new ArrayList<>();
        Generation g =
                generator.generate(
                        PROMPT,
                        SamplingParams.greedy(24).toBuilder().stop(List.of("first duty!")).build(),
                        pieces::add);
        assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(g.text()).contains("first duty,");
        assertThat(String.join("", pieces)).isEqualTo(g.text());
    }

    @Test
    void tooLongPromptsAreRefusedUnlessTruncationIsAllowed() {
        String longPrompt = "the ".repeat(100); // > 64 positions
        int tokens = model.tokenizer().encode(longPrompt).length;
        assertThatThrownBy(() -> generator.generate(longPrompt, SamplingParams.greedy(4), t -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prompt has " + tokens + " tokens")
                .hasMessageContaining("context is 64 tokens");

        Generation g =
                generator.generate(
                        longPrompt,
                        SamplingParams.greedy(4).toBuilder().truncation(Truncation.LEFT).build(),
                        t -> {});
        assertThat(g.promptTokenIds()).hasSize(60);
        assertThat(g.tokenIds()).hasSize(4);
    }

    @Test
    void generationStopsAtTheContextWithLength() {
        int promptLength = model.tokenizer().encode(PROMPT).length;
        Generation g = generator.generate(PROMPT, SamplingParams.greedy(500), t -> {});
        assertThat(g.tokenIds()).hasSize(64 - promptLength);
        assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void endOfTextFinishesWithEos() {
        // A model whose output always favours <|endoftext|>: the final LayerNorm emits its
        // embedding, so the tied output layer scores it highest.
        try (GptModel eosModel = GptModel.create(GptConfig.tiny(), Tokenizers.bytes(), 9)) {
            Gpt gpt = eosModel.gpt();
            Map<String, Parameter> params = gpt.namedParameters();
            NDArray eosRow = params.get("transformer.wte.weight").getArray().get(256);
            params.get("transformer.ln_f.weight").getArray().muli(0);
            params.get("transformer.ln_f.bias").getArray().addi(eosRow.mul(100));
            Generation g =
                    new TextGenerator(eosModel).generate("hi", SamplingParams.greedy(10), t -> {});
            assertThat(g.finishReason()).isEqualTo(FinishReason.EOS);
            assertThat(g.tokenIds()).isEmpty();
            assertThat(g.text()).isEmpty();
        }
    }
}
