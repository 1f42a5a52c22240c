package io.belamy.generate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.belamy.core.generation.Generation;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.generation.TextGenerator;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.testing.Fixtures;
import io.belamy.core.topic.DeadLetter;
import io.belamy.core.topic.PromptParams;
import io.belamy.core.topic.PromptRecord;
import io.belamy.core.topic.TextReply;
import io.belamy.core.topic.Topics;
import io.belamy.streaming.OutRecord;
import io.belamy.streaming.RawRecord;
import io.belamy.streaming.testing.Harnesses;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenerateTextTest {

    private final Path dir = Fixtures.dir(Fixtures.GPT2_TINY);
    private final Topics topics = Topics.defaults();

    private static ValidPrompt prompt(String id, String text, SamplingParams params) {
        PromptRecord p = PromptRecord.text(id, text, PromptParams.of(params));
        RawRecord source =
                new RawRecord(
                        "belamy.prompts",
                        0,
                        5,
                        System.currentTimeMillis(),
                        id.getBytes(UTF_8),
                        PromptRecord.CODEC.encode(p));
        return new ValidPrompt(p, params, null, source);
    }

    @Test
    void streamsChunksInSeqOrderThenTheFinalRecord() throws Exception {
        ServedModel served = ServedModel.of(dir, null);
        SamplingParams params = SamplingParams.builder().maxTokens(12).seed(4L).build();
        List<OutRecord> out;
        try (var h = Harnesses.of(new GenerateText(topics, served))) {
            out = h.push(prompt("g1", "The weather was", params), 0).output();
        }
        Generation expected;
        try (GptModel model = GptModel.load(dir)) {
            expected = new TextGenerator(model).generate("The weather was", params, t -> {});
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < out.size() - 1; i++) {
            assertThat(out.get(i).topic()).isEqualTo("belamy.generated.text");
            assertThat(out.get(i).key()).isEqualTo("g1");
            TextReply.Chunk c = (TextReply.Chunk) TextReply.CODEC.decode(out.get(i).value());
            assertThat(c.seq()).isEqualTo(i);
            text.append(c.delta());
        }
        TextReply.Result r =
                (TextReply.Result) TextReply.CODEC.decode(out.get(out.size() - 1).value());
        assertThat(r.seq()).isEqualTo(out.size() - 1);
        assertThat(r.text()).isEqualTo(expected.text()).isEqualTo(text.toString());
        assertThat(r.finishReason()).isEqualTo(expected.finishReason().wireName());
        assertThat(r.usage().completionTokens()).isEqualTo(12);
        assertThat(r.usage().promptTokens()).isEqualTo(expected.promptTokenIds().length);
        assertThat(r.model().name()).isEqualTo("gpt2-tiny");
        assertThat(r.seed()).isEqualTo(4L);
    }

    @Test
    void aPromptTooLongForTheContextGetsAnErrorAndADeadLetter() throws Exception {
        ServedModel served = ServedModel.of(dir, null);
        List<OutRecord> out;
        try (var h = Harnesses.of(new GenerateText(topics, served))) {
            out = h.push(prompt("long", "the ".repeat(100), SamplingParams.greedy(4)), 0).output();
        }
        assertThat(out).hasSize(2);
        TextReply.Error e = (TextReply.Error) TextReply.CODEC.decode(out.get(0).value());
        assertThat(e.error().code()).isEqualTo("prompt_too_long");
        assertThat(e.error().message()).contains("context is 64 tokens");
        DeadLetter d = DeadLetter.CODEC.decode(out.get(1).value());
        assertThat(d.source().offset()).isEqualTo(5);
        assertThat(d.error().code()).isEqualTo("prompt_too_long");
    }
}
