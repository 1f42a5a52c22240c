package io.belamy.generate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.belamy.core.topic.DeadLetter;
import io.belamy.core.topic.MusicReply;
import io.belamy.core.topic.TextReply;
import io.belamy.core.topic.Topics;
import io.belamy.streaming.OutRecord;
import io.belamy.streaming.RawRecord;
import io.belamy.streaming.testing.Harnesses;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValidatePromptTest {

    private final Topics topics = Topics.defaults();
    private final ServedModel model = new ServedModel("/models/m", "tiny", 3, "gpt");

    private static RawRecord raw(String key, String value) {
        return new RawRecord(
                "belamy.prompts",
                0,
                17,
                1000,
                key == null ? null : key.getBytes(UTF_8),
                value == null ? null : value.getBytes(UTF_8));
    }

    /** Runs one record through the operator: (valid prompts, rejected records). */
    private record Outcome(List<ValidPrompt> valid, List<OutRecord> rejected) {}

    private Outcome run(String key, String value) throws Exception {
        try (var h = Harnesses.of(new ValidatePrompt(topics, model))) {
            h.push(raw(key, value), 1000);
            return new Outcome(h.output(), h.sideOutput(ValidatePrompt.REJECTED));
        }
    }

    @Test
    void aValidPromptPassesWithItsParams() throws Exception {
        Outcome o =
                run(
                        "r1",
                        "{\"id\":\"r1\",\"task\":\"text\",\"model\":\"tiny\",\"modelVersion\":3,"
                                + "\"prompt\":\"Hi\",\"params\":{\"maxTokens\":5,\"seed\":9}}");
        assertThat(o.rejected()).isEmpty();
        assertThat(o.valid())
                .singleElement()
                .satisfies(
                        v -> {
                            assertThat(v.prompt().id()).isEqualTo("r1");
                            assertThat(v.params().maxTokens()).isEqualTo(5);
                            assertThat(v.params().seed()).isEqualTo(9L);
                            assertThat(v.source().offset()).isEqualTo(17);
                        });
    }

    @Test
    void everyRejectionGivesAnErrorReplyAndADeadLetter() throws Exception {
        assertRejected(
                "r2", "{\"id\":\"r2\",\"task\":\"poem\",\"prompt\":\"x\"}", "unknown_task", "poem");
        assertRejected(
                "r3",
                "{\"id\":\"r3\",\"task\":\"text\",\"model\":\"huge\",\"prompt\":\"x\"}",
                "unknown_model",
                "huge");
        // text versions are checked by the generation operator (hot-swap): see ServingIT
        assertRejected(
                "r5",
                "{\"id\":\"r5\",\"task\":\"text\",\"prompt\":\"x\",\"params\":{\"temperature\":-1}}",
                "invalid_params",
                "temperature");
        assertRejected("r6", "{\"id\":\"r6\",\"task\":\"text\"}", "missing_field", "\"prompt\"");
        assertRejected(
                "r7",
                "{\"id\":\"r7\",\"task\":\"text\",\"prompt\":\"x\",\"params\":{\"maxTokens\":\"lots\"}}",
                "invalid_field",
                "params.maxTokens");
        assertRejected(
                "r8",
                "{\"v\":7,\"id\":\"r8\",\"task\":\"text\",\"prompt\":\"x\"}",
                "unsupported_version",
                "v=7");
        // not JSON: the id comes from the record key
        assertRejected("r9", "{\"id\": \"r9\",", "invalid_json", "not valid JSON");
    }

    private void assertRejected(String id, String value, String code, String messagePart)
            throws Exception {
        Outcome o = run(id, value);
        assertThat(o.valid()).as(value).isEmpty();
        assertThat(o.rejected()).as(value).hasSize(2);
        OutRecord reply = o.rejected().get(0);
        assertThat(reply.topic()).isEqualTo("belamy.generated.text");
        assertThat(reply.key()).isEqualTo(id);
        TextReply.Error error = (TextReply.Error) TextReply.CODEC.decode(reply.value());
        assertThat(error.error().code()).as(value).isEqualTo(code);
        assertThat(error.error().message()).as(value).contains(messagePart);
        assertThat(error.done()).isTrue();

        OutRecord letter = o.rejected().get(1);
        assertThat(letter.topic()).isEqualTo("belamy.dlq");
        DeadLetter d = DeadLetter.CODEC.decode(letter.value());
        assertThat(d.source()).isEqualTo(new DeadLetter.Source("belamy.prompts", 0, 17, id));
        assertThat(d.error().code()).isEqualTo(code);
        assertThat(d.payload()).isEqualTo(value);
        assertThat(d.job()).isEqualTo("generate");
    }

    @Test
    void unreadableIdsGetOnlyADeadLetter() throws Exception {
        Outcome noKey = run(null, "not json at all");
        assertThat(noKey.rejected())
                .singleElement()
                .satisfies(r -> assertThat(r.topic()).isEqualTo("belamy.dlq"));
        Outcome nullValue = run(null, null);
        assertThat(nullValue.rejected())
                .singleElement()
                .satisfies(
                        r -> {
                            DeadLetter d = DeadLetter.CODEC.decode(r.value());
                            assertThat(d.payloadBytes()).isZero();
                            assertThat(d.error().code()).isEqualTo("invalid_json");
                        });
    }

    @Test
    void musicPromptsAreAnsweredOnTheMusicTopicUntilAMusicModelIsServed() throws Exception {
        Outcome o = run("m1", "{\"id\":\"m1\",\"task\":\"music\",\"params\":{\"bars\":4}}");
        OutRecord reply = o.rejected().get(0);
        assertThat(reply.topic()).isEqualTo("belamy.generated.music");
        MusicReply.Error e = (MusicReply.Error) MusicReply.CODEC.decode(reply.value());
        assertThat(e.error().code()).isEqualTo("unsupported_task");
    }

    private Outcome runMusic(String key, String value) throws Exception {
        ServedModel gan = new ServedModel("/models/g", "doom-gan", 2, "musegan");
        try (var h = Harnesses.of(new ValidatePrompt(topics, gan))) {
            h.push(raw(key, value), 1000);
            return new Outcome(h.output(), h.sideOutput(ValidatePrompt.REJECTED));
        }
    }

    @Test
    void aMusicModelTakesMusicPromptsWithTheirParamsAndRejectsTextAndBadParams() throws Exception {
        Outcome ok =
                runMusic(
                        "m2",
                        "{\"id\":\"m2\",\"task\":\"music\",\"model\":\"doom-gan\","
                                + "\"params\":{\"bars\":8,\"tempo\":96,\"tracks\":[\"drums\",\"bass\"],\"seed\":5}}");
        assertThat(ok.rejected()).isEmpty();
        assertThat(ok.valid())
                .singleElement()
                .satisfies(
                        v -> {
                            assertThat(v.music().bars()).isEqualTo(8);
                            assertThat(v.music().tempo()).isEqualTo(96);
                            assertThat(v.music().tracks()).containsExactly("drums", "bass");
                            assertThat(v.music().seed()).isEqualTo(5);
                            assertThat(v.params()).isNull();
                        });

        Outcome defaults = runMusic("m3", "{\"id\":\"m3\",\"task\":\"music\"}");
        assertThat(defaults.valid().get(0).music().bars()).isEqualTo(4);
        assertThat(defaults.valid().get(0).music().tempo()).isEqualTo(120);

        Outcome bad = runMusic("m4", "{\"id\":\"m4\",\"task\":\"music\",\"params\":{\"bars\":0}}");
        MusicReply.Error e =
                (MusicReply.Error) MusicReply.CODEC.decode(bad.rejected().get(0).value());
        assertThat(e.error().code()).isEqualTo("invalid_params");
        assertThat(e.error().message()).contains("bars must be 1 to 64, got 0");
        assertThat(bad.rejected().get(1).topic()).isEqualTo("belamy.dlq");

        Outcome text = runMusic("t1", "{\"id\":\"t1\",\"task\":\"text\",\"prompt\":\"Hi\"}");
        OutRecord reply = text.rejected().get(0);
        assertThat(reply.topic()).isEqualTo("belamy.generated.text");
        assertThat(((TextReply.Error) TextReply.CODEC.decode(reply.value())).error().message())
                .contains("serves music");
    }
}
