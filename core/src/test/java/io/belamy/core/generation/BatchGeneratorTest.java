package io.belamy.core.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.belamy.core.gpt.GptModel;
import io.belamy.core.testing.Fixtures;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BatchGeneratorTest {

    static GptModel model;

    @BeforeAll
    static void load() throws Exception {
        model = GptModel.load(Fixtures.dir(Fixtures.GPT2_TINY));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    record Case(String prompt, SamplingParams params) {}

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        String[] prompts = {
            "Emma Woodhouse, handsome, clever, and rich,",
            "It is a truth universally acknowledged",
            "The",
            "Mr. Knightley was a sensible man of about seven or eight-and-thirty,",
            "She was the youngest of the two daughters",
            "\"How do you do?\" said",
        };
        for (int i = 0; i < 12; i++) {
            SamplingParams.Builder b = SamplingParams.builder().maxTokens(6 + 5 * (i % 4));
            b =
                    switch (i % 4) {
                        case 0 -> b.temperature(0); // greedy
                        case 1 -> b.seed(100L + i).temperature(0.9f).topK(20); // seeded sampling
                        case 2 ->
                                b.seed(200L + i)
                                        .temperature(1.2f)
                                        .topP(0.8f)
                                        .repetitionPenalty(1.3f);
                        default -> b.seed(300L + i).stop(List.of(",", "e ")); // ends early, mostly
                    };
            cases.add(new Case(prompts[i % prompts.length], b.build()));
        }
        return cases;
    }

    /** What one request saw, through its listener. */
    static final class Seen implements BatchGenerator.Listener {
        final StringBuilder streamed = new StringBuilder();
        Generation done;
        RuntimeException error;

        @Override
        public void onText(String piece) {
            assertThat(done).as("no text after the end").isNull();
            streamed.append(piece);
        }

        @Override
        public void onDone(Generation generation) {
            assertThat(done).as("one end").isNull();
            done = generation;
        }

        @Override
        public void onError(RuntimeException e) {
            error = e;
        }
    }

    @Test
    void requestsJoiningAndLeavingARunningBatchGetTheirUnbatchedTokens() {
        List<Case> cases = cases();
        TextGenerator single = new TextGenerator(model);
        List<Generation> expected = new ArrayList<>();
        for (Case c : cases) {
            expected.add(single.generate(c.prompt(), c.params(), t -> {}));
        }

        Map<Integer, Seen> seen = new HashMap<>();
        int next = 0;
        int steps = 0;
        int largestBatch = 0;
        try (BatchGenerator batch = new BatchGenerator(model, 4)) {
            // requests arrive every other step, one to three at a time (prompts of different
            // lengths prefilled together), while there is room; the rest wait
            while (next < cases.size() || batch.running() > 0) {
                if (next < cases.size() && steps % 2 == 0) {
                    List<BatchGenerator.Request> arriving = new ArrayList<>();
                    int want = 1 + (steps / 2) % 3;
                    while (arriving.size() < Math.min(want, batch.room()) && next < cases.size()) {
                        Case c = cases.get(next);
                        Seen s = new Seen();
                        seen.put(next, s);
                        int[] ids =
                                TextGenerator.fitToContext(
                                        model.config(),
                                        model.tokenizer().encode(c.prompt()),
                                        c.params());
                        arriving.add(
                                new BatchGenerator.Request(
                                        ids,
                                        c.params(),
                                        expected.get(next).seed(),
                                        System.nanoTime(),
                                        s));
                        next++;
                    }
                    batch.start(arriving);
                }
                largestBatch = Math.max(largestBatch, batch.running());
                batch.step();
                steps++;
                assertThat(steps).as("steps").isLessThan(1000);
            }
        }
        assertThat(largestBatch).isEqualTo(4);
        for (int i = 0; i < cases.size(); i++) {
            Seen s = seen.get(i);
            Generation want = expected.get(i);
            assertThat(s.error).as("request %d", i).isNull();
            assertThat(s.done).as("request %d finished", i).isNotNull();
            assertThat(s.done.tokenIds())
                    .as("request %d tokens", i)
                    .containsExactly(want.tokenIds());
            assertThat(s.done.text()).as("request %d text", i).isEqualTo(want.text());
            assertThat(s.done.finishReason()).as("request %d", i).isEqualTo(want.finishReason());
            assertThat(s.streamed.toString()).as("request %d streamed", i).isEqualTo(want.text());
        }
        assertThat(expected)
                .extracting(Generation::finishReason)
                .contains(FinishReason.STOP, FinishReason.LENGTH);
    }

    @Test
    void aFullBatchRefusesMoreAndARowIsReusedOnceFree() {
        try (BatchGenerator batch = new BatchGenerator(model, 1)) {
            SamplingParams p = SamplingParams.builder().maxTokens(3).temperature(0).build();
            int[] ids = model.tokenizer().encode("Emma");
            Seen a = new Seen();
            batch.start(new BatchGenerator.Request(ids, p, 1, System.nanoTime(), a));
            if (a.error != null) {
                throw a.error;
            }
            assertThat(batch.hasRoom()).isFalse();
            assertThatThrownBy(
                            () ->
                                    batch.start(
                                            new BatchGenerator.Request(
                                                    ids, p, 1, System.nanoTime(), new Seen())))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("all 1 rows");
            batch.step();
            batch.step();
            assertThat(a.done).isNotNull();
            assertThat(a.done.tokenIds()).hasSize(3);
            assertThat(batch.hasRoom()).isTrue();
            Seen b = new Seen();
            batch.start(new BatchGenerator.Request(ids, p, 1, System.nanoTime(), b));
            batch.step();
            batch.step();
            assertThat(b.done.tokenIds()).containsExactly(a.done.tokenIds());
        }
    }
}
