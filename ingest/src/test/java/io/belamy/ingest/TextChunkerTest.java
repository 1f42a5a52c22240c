package io.belamy.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TextChunkerTest {

    @Test
    void chunksRespectTheBudgetAndConcatenateBackToTheText() {
        SplittableRandom r = new SplittableRandom(4);
        StringBuilder text = new StringBuilder();
        String[] words = {"the", "naïve", "café", "—", "😀", "漢字", "paragraph", "a"};
        for (int i = 0; i < 5000; i++) {
            text.append(words[r.nextInt(words.length)]);
            text.append(r.nextInt(20) == 0 ? "\n\n" : r.nextInt(10) == 0 ? "\n" : " ");
        }
        TextChunker chunker = new TextChunker(300);
        List<String> chunks = chunker.split(text.toString());
        assertThat(String.join("", chunks)).isEqualTo(text.toString());
        for (String c : chunks) {
            assertThat(c.getBytes(UTF_8).length).isLessThanOrEqualTo(300);
            assertThat(Character.isHighSurrogate(c.charAt(c.length() - 1))).isFalse();
        }
        assertThat(chunks.size()).isGreaterThan(text.toString().getBytes(UTF_8).length / 300);
    }

    @Test
    void paragraphBoundariesArePreferred() {
        String a = "x".repeat(40) + "\n\n";
        String b = "y".repeat(40) + "\n";
        String c = "z".repeat(40);
        List<String> chunks = new TextChunker(100).split(a + b + c);
        assertThat(chunks).containsExactly(a, b + c);
    }

    @Test
    void aWordLongerThanTheBudgetIsCutAtACharacterBoundary() {
        String word = "é".repeat(10); // 20 bytes
        List<String> chunks = new TextChunker(7).split(word);
        assertThat(chunks)
                .allSatisfy(c -> assertThat(c.getBytes(UTF_8).length).isLessThanOrEqualTo(7));
        assertThat(String.join("", chunks)).isEqualTo(word);
        assertThat(new TextChunker(10).split("")).isEmpty();
        assertThatThrownBy(() -> new TextChunker(2)).hasMessageContaining("at least 4 bytes");
    }
}
