package io.belamy.core.topic;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.belamy.core.generation.SamplingParams;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every topic's record type: round trip, unknown fields ignored, required fields named. */
class CodecTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** (codec, a full example value, its required fields). */
    static Stream<Arguments> records() {
        Topics t = Topics.defaults();
        return Stream.of(
                Arguments.of(
                        t.prompts().codec(),
                        new PromptRecord(
                                1,
                                "r1",
                                "text",
                                "gpt2-tiny",
                                3L,
                                "Once upon a time",
                                new PromptParams(
                                        32,
                                        0.7f,
                                        40,
                                        0.9f,
                                        1.1f,
                                        List.of("\n\n"),
                                        42L,
                                        "left",
                                        null,
                                        null,
                                        null)),
                        List.of("id", "task", "prompt")),
                Arguments.of(
                        t.generatedText().codec(),
                        new TextReply.Chunk("r1", 0, " Once"),
                        List.of("id", "delta")),
                Arguments.of(
                        t.generatedText().codec(),
                        new TextReply.Result(
                                1,
                                "r1",
                                5,
                                " Once upon",
                                "length",
                                new ReplyParts.Usage(4, 5),
                                new ReplyParts.ModelRef("gpt2-tiny", 0),
                                new ReplyParts.Timings(3, 40, 90),
                                42L,
                                null),
                        List.of("id", "text", "finishReason", "usage", "model")),
                Arguments.of(
                        t.generatedText().codec(),
                        new TextReply.Result(
                                1,
                                "f1",
                                0,
                                "the cat sat on the mat.",
                                "filled",
                                new ReplyParts.Usage(9, 1),
                                new ReplyParts.ModelRef("bert-tiny", 0),
                                new ReplyParts.Timings(3, 40, 40),
                                null,
                                List.of(
                                        new ReplyParts.MaskFill(
                                                5,
                                                new ReplyParts.Candidate(1996, "the", 0.5),
                                                List.of(
                                                        new ReplyParts.Candidate(1996, "the", 0.5),
                                                        new ReplyParts.Candidate(
                                                                1037, "a", 0.2))))),
                        List.of("id", "text", "finishReason", "usage", "model")),
                Arguments.of(
                        t.generatedText().codec(),
                        new TextReply.Error(
                                "r2", 0, "invalid_params", "topP must be in (0, 1], got 2.0"),
                        // without "error" a done record reads as a result: see below
                        List.of("id")),
                Arguments.of(
                        t.generatedMusic().codec(),
                        new MusicReply.Result(
                                1,
                                "m1",
                                "TVRoZAAAAAY=",
                                new MusicReply.Summary(4, 5, 120),
                                Map.of("emptyBars", 0.0),
                                new ReplyParts.ModelRef("musegan", 2),
                                new ReplyParts.Timings(1, 20, 20),
                                7L),
                        List.of("id", "midi", "summary")),
                Arguments.of(
                        t.generatedMusic().codec(),
                        new MusicReply.Error("m2", "unknown_model", "no model \"x\""),
                        List.of("id")),
                Arguments.of(
                        t.corpusText().codec(),
                        new CorpusChunk(
                                1, "austen", "emma.txt", 0, "EMMA WOODHOUSE, handsome", false),
                        List.of("corpus", "document", "text")),
                Arguments.of(
                        t.corpusIndex().codec(),
                        new CorpusIndexRecord(
                                1, "austen", "persuasion.txt", "9f2c00", 466854, 8, 1795000000000L),
                        List.of("corpus", "document", "sha256")),
                Arguments.of(
                        t.corpusMidi().codec(),
                        new MidiEventRecord(
                                1,
                                "freedoom",
                                "D_E1M1",
                                12,
                                "note",
                                480,
                                960L,
                                240L,
                                64,
                                100,
                                1,
                                30,
                                2,
                                false,
                                null,
                                null,
                                null,
                                null),
                        List.of(
                                "corpus",
                                "piece",
                                "type",
                                "tick",
                                "duration",
                                "pitch",
                                "velocity",
                                "channel",
                                "program",
                                "track")),
                Arguments.of(
                        t.corpusMidi().codec(),
                        new MidiEventRecord(
                                1,
                                "freedoom",
                                "D_E1M1",
                                13,
                                "end",
                                480,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                12L),
                        List.of("corpus", "piece", "type", "eventCount")),
                Arguments.of(
                        t.models().codec(),
                        new ModelVersionRecord(
                                1,
                                "austen-gpt",
                                3,
                                "gpt",
                                "file:///store/austen-gpt/v3",
                                2L,
                                1795000000000L,
                                Map.of("steps", 300L),
                                Map.of("loss", 2.31)),
                        List.of("name", "kind", "uri")),
                Arguments.of(
                        t.dlq().codec(),
                        DeadLetter.of(
                                new DeadLetter.Source("belamy.prompts", 0, 41, "r7"),
                                "generate",
                                "invalid_json",
                                "prompt: not valid JSON",
                                "{\"id\": ".getBytes(UTF_8),
                                1795000000000L),
                        List.of("source", "job", "error", "payloadEncoding")));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("records")
    <T> void roundTripGivesTheSameValue(JsonCodec<T> codec, T value, List<String> required) {
        byte[] bytes = codec.encode(value);
        assertThat(codec.decode(bytes)).isEqualTo(value);
        assertThat(json(bytes).get("v").asInt()).as("every value carries v").isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("records")
    <T> void unknownFieldsAreIgnored(JsonCodec<T> codec, T value, List<String> required) {
        ObjectNode tree = json(codec.encode(value));
        tree.put("addedInAFutureVersion", "x");
        tree.putObject("nested").put("deeper", 1);
        assertThat(codec.decode(tree.toString().getBytes(UTF_8))).isEqualTo(value);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("records")
    <T> void missingRequiredFieldsAreRejectedByName(
            JsonCodec<T> codec, T value, List<String> required) {
        for (String field : required) {
            ObjectNode tree = json(codec.encode(value));
            tree.remove(field);
            assertThatThrownBy(() -> codec.decode(tree.toString().getBytes(UTF_8)))
                    .as("without %s", field)
                    .isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("missing required field \"" + field + "\"")
                    .satisfies(
                            e ->
                                    assertThat(((InvalidRecordException) e).code())
                                            .isEqualTo("missing_field"));
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("records")
    <T> void newerSchemaVersionsAreRefused(JsonCodec<T> codec, T value, List<String> required) {
        ObjectNode tree = json(codec.encode(value));
        tree.put("v", 99);
        assertThatThrownBy(() -> codec.decode(tree.toString().getBytes(UTF_8)))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("v=99 is not supported");
        tree.remove("v");
        assertThat(codec.decode(tree.toString().getBytes(UTF_8)))
                .as("absent v means 1")
                .isEqualTo(value);
    }

    @Test
    void errorlessDoneRecordsAreResultsMissingTheirFields() {
        assertThatThrownBy(
                        () ->
                                TextReply.CODEC.decode(
                                        "{\"id\":\"r\",\"seq\":1,\"done\":true}".getBytes(UTF_8)))
                .hasMessageContaining("missing required field \"text\"");
        assertThatThrownBy(
                        () ->
                                MusicReply.CODEC.decode(
                                        "{\"id\":\"m\",\"done\":true}".getBytes(UTF_8)))
                .hasMessageContaining("missing required field \"midi\"");
    }

    @Test
    void malformedValuesNameTheProblem() {
        JsonCodec<PromptRecord> codec = PromptRecord.CODEC;
        assertThatThrownBy(() -> codec.decode("{\"id\": \"r1\", ".getBytes(UTF_8)))
                .hasMessageStartingWith("prompt: not valid JSON")
                .satisfies(
                        e ->
                                assertThat(((InvalidRecordException) e).code())
                                        .isEqualTo("invalid_json"));
        assertThatThrownBy(() -> codec.decode("[1, 2]".getBytes(UTF_8)))
                .hasMessage("prompt: expected a JSON object, got ARRAY");
        assertThatThrownBy(
                        () ->
                                codec.decode(
                                        "{\"id\":\"r\",\"task\":\"text\",\"prompt\":\"x\",\"params\":{\"maxTokens\":\"many\"}}"
                                                .getBytes(UTF_8)))
                .hasMessageContaining("field \"params.maxTokens\"")
                .hasMessageContaining("many");
        assertThatThrownBy(
                        () ->
                                codec.decode(
                                        "{\"id\":\"r\",\"task\":\"text\",\"prompt\":\"x\",\"params\":{\"stop\":\"\\n\"}}"
                                                .getBytes(UTF_8)))
                .hasMessageContaining("field \"params.stop\"");
        assertThatThrownBy(
                        () ->
                                codec.decode(
                                        "{\"id\":\"\",\"task\":\"text\",\"prompt\":\"x\"}"
                                                .getBytes(UTF_8)))
                .hasMessageContaining("field \"id\" must not be empty");
        assertThatThrownBy(() -> codec.decode((byte[]) null)).hasMessageContaining("tombstone");
    }

    @Test
    void promptParamsMapToSamplingParamsAndValidateRanges() {
        PromptRecord minimal =
                PromptRecord.CODEC.decode(
                        "{\"id\":\"r1\",\"task\":\"text\",\"prompt\":\"Hi\"}".getBytes(UTF_8));
        assertThat(minimal.params().toSamplingParams()).isEqualTo(SamplingParams.defaults());

        SamplingParams p =
                SamplingParams.builder()
                        .maxTokens(9)
                        .temperature(0)
                        .stop(List.of("x"))
                        .seed(5L)
                        .build();
        assertThat(PromptParams.of(p).toSamplingParams()).isEqualTo(p);

        PromptParams bad =
                new PromptParams(null, null, null, 2f, null, null, null, null, null, null, null);
        assertThatThrownBy(bad::toSamplingParams).hasMessage("topP must be in (0, 1], got 2.0");
    }

    @Test
    void deadLettersKeepTextOrBase64AndTruncate() {
        DeadLetter.Source s = new DeadLetter.Source("t", 0, 1, null);
        DeadLetter text = DeadLetter.of(s, "j", "c", "m", "héllo".getBytes(UTF_8), 0);
        assertThat(text.payload()).isEqualTo("héllo");
        assertThat(text.payloadEncoding()).isEqualTo("utf8");

        DeadLetter binary = DeadLetter.of(s, "j", "c", "m", new byte[] {(byte) 0xff, 0, 1}, 0);
        assertThat(binary.payloadEncoding()).isEqualTo("base64");
        assertThat(binary.payload()).isEqualTo("/wAB");

        byte[] big = "é".repeat(10_000).getBytes(UTF_8); // 20,000 bytes
        DeadLetter cut = DeadLetter.of(s, "j", "c", "m", big, 0);
        assertThat(cut.truncated()).isTrue();
        assertThat(cut.payloadBytes()).isEqualTo(20_000);
        assertThat(cut.payloadEncoding()).isEqualTo("utf8");
        assertThat(cut.payload().getBytes(UTF_8).length)
                .isLessThanOrEqualTo(DeadLetter.MAX_PAYLOAD_BYTES);
    }

    @Test
    void topicNamesTakeThePrefix() {
        Topics t = new Topics("acme-");
        assertThat(t.names())
                .containsExactly(
                        "acme-corpus.text",
                        "acme-corpus.index",
                        "acme-corpus.midi",
                        "acme-prompts",
                        "acme-generated.text",
                        "acme-generated.music",
                        "acme-models",
                        "acme-dlq");
        assertThat(t.isCompacted("acme-models")).isTrue();
        assertThat(t.isCompacted("acme-corpus.index")).isTrue();
        assertThat(t.isCompacted("acme-prompts")).isFalse();
        assertThatThrownBy(() -> new Topics("bad prefix/"))
                .hasMessageContaining("topic prefix \"bad prefix/\" may only contain");
    }

    private static ObjectNode json(byte[] bytes) {
        try {
            JsonNode node = JSON.readTree(bytes);
            return (ObjectNode) node;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
