package io.belamy.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.belamy.core.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizersTest {

    private static final List<String> TEXTS =
            List.of(
                    "Hello, world!",
                    "  leading spaces and\ttabs\nnewlines\r\n",
                    "Ünïcödé façade — naïve café, 123 tokens! <odd>",
                    "emoji 😀👍🏽 and CJK 漢字かな",
                    "");

    @TempDir Path tmp;

    @Test
    void byteTokenizerRoundTripsAnyText() {
        TextTokenizer bytes = Tokenizers.bytes();
        for (String text : TEXTS) {
            assertThat(bytes.decode(bytes.encode(text))).isEqualTo(text);
        }
        assertThat(bytes.encode("hé")).containsExactly(104, 195, 169);
        assertThat(bytes.decode(new int[] {104, 195})).isEqualTo("h\uFFFD");
        assertThat(bytes.decode(new int[] {104, ByteTokenizer.END_OF_TEXT, 105})).isEqualTo("hi");
        assertThat(bytes.tokenId("<|endoftext|>")).isEqualTo(256);
        assertThatThrownBy(() -> bytes.decode(new int[] {300}))
                .hasMessageContaining("token id 300 is outside the byte vocabulary");
    }

    @Test
    void byteTokenizerSavedAsHuggingFaceJsonEncodesTheSameIds() throws IOException {
        Tokenizers.bytes().save(tmp);
        try (HfTokenizer hf = HfTokenizer.load(tmp)) {
            assertThat(hf.vocabSize()).isEqualTo(257);
            for (String text : TEXTS) {
                assertThat(hf.encode(text))
                        .as(text)
                        .containsExactly(Tokenizers.bytes().encode(text));
                assertThat(hf.decode(hf.encode(text))).isEqualTo(text);
            }
        }
        try (TextTokenizer loaded = Tokenizers.load(tmp)) {
            assertThat(loaded).isInstanceOf(ByteTokenizer.class);
        }
        assertThat(tmp.resolve("tokenizer_config.json")).isRegularFile();
    }

    @Test
    void huggingFaceTokenizerFromTheFixture() throws IOException {
        Path dir = Fixtures.dir(Fixtures.GPT2_TINY);
        try (TextTokenizer gpt2 = Tokenizers.load(dir)) {
            assertThat(gpt2).isInstanceOf(HfTokenizer.class);
            assertThat(gpt2.vocabSize()).isEqualTo(1024);
            assertThat(gpt2.tokenId("<|endoftext|>")).isZero();
            for (String text : TEXTS) {
                assertThat(gpt2.decode(gpt2.encode(text))).isEqualTo(text);
            }
            // long input is never truncated
            String longText = "word ".repeat(2000);
            assertThat(gpt2.decode(gpt2.encode(longText))).isEqualTo(longText);

            gpt2.save(tmp);
            assertThat(tmp.resolve("tokenizer.json"))
                    .hasSameTextualContentAs(dir.resolve("tokenizer.json"));
            assertThat(tmp.resolve("tokenizer_config.json"))
                    .hasSameTextualContentAs(dir.resolve("tokenizer_config.json"));
        }
    }

    @Test
    void incrementalDecodingNeverSplitsACharacter() throws IOException {
        String text = Fixtures.reference(Fixtures.GPT2_TINY).get("texts").get(2).asText();
        try (TextTokenizer gpt2 = Tokenizers.load(Fixtures.dir(Fixtures.GPT2_TINY))) {
            assertStreamsWholeCharacters(gpt2, text);
        }
        assertStreamsWholeCharacters(Tokenizers.bytes(), "héllo wörld 😀 漢字");

        IncrementalDecoder d = new IncrementalDecoder(Tokenizers.bytes());
        assertThat(d.push(0xC3)).isEmpty();
        assertThat(d.push(0xA9)).isEqualTo("é");
        assertThat(d.push(0xF0)).isEmpty();
        assertThat(d.flush()).isEqualTo("\uFFFD"); // an incomplete character at the very end
    }

    private static void assertStreamsWholeCharacters(TextTokenizer tokenizer, String text) {
        IncrementalDecoder decoder = new IncrementalDecoder(tokenizer);
        List<String> pieces = new ArrayList<>();
        for (int id : tokenizer.encode(text)) {
            String piece = decoder.push(id);
            if (!piece.isEmpty()) {
                pieces.add(piece);
            }
        }
        pieces.add(decoder.flush());
        assertThat(String.join("", pieces)).isEqualTo(text);
        for (String piece : pieces) {
            assertThat(piece).doesNotContain("\uFFFD");
            if (!piece.isEmpty()) {
                assertThat(Character.isHighSurrogate(piece.charAt(piece.length() - 1))).isFalse();
            }
        }
    }

    @Test
    void missingOrInvalidTokenizerFilesAreNamed() throws IOException {
        assertThatThrownBy(() -> Tokenizers.load(tmp))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(tmp.resolve("tokenizer.json").toString());

        Files.writeString(tmp.resolve("tokenizer.json"), "{\"version\": \"1.0\"}");
        assertThatThrownBy(() -> Tokenizers.load(tmp))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a Hugging Face tokenizer.json")
                .hasMessageContaining("model");

        assertThatThrownBy(
                        () ->
                                HfTokenizer.fromJson(
                                        "{\"model\": {\"vocab\": {}}}", Map.of(), "x.json"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("x.json");
    }
}
