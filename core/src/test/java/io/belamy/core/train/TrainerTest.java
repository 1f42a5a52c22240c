package io.belamy.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.belamy.core.bert.BertConfig;
import io.belamy.core.bert.BertModel;
import io.belamy.core.gpt.GptConfig;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.tokenizer.ByteMlmVocabulary;
import io.belamy.core.tokenizer.TextTokenizer;
import io.belamy.core.tokenizer.Tokenizers;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TrainerTest {

    private static final String TEXT =
            "It is a truth universally acknowledged, that a single man in possession of a good fortune,"
                    + " must be in want of a wife. However little known the feelings or views of such a man may"
                    + " be on his first entering a neighbourhood, this truth is so well fixed in the minds of the"
                    + " surrounding families, that he is considered the rightful property of some one or other of"
                    + " their daughters. ";

    private static final GptConfig GPT = new GptConfig(257, 64, 64, 2, 4, 256, 1e-5f, 0f, 256, 256);

    private static TrainingConfig training(int batch, int length, double lr) {
        return TrainingConfig.defaults()
                .withBatch(batch, length)
                .withSchedule(new Schedule(Schedule.Shape.CONSTANT, lr, lr, 0, 0));
    }

    /** Causal batches of {@code count} x (T + 1) windows cut from TEXT repeated. */
    private static List<TokenBatch> causalBatches(
            TextTokenizer tok, int count, int batch, int length) {
        CausalPacker packer = new CausalPacker(length, 256);
        List<PackedSequence> windows = new ArrayList<>();
        while (windows.size() < count * batch) {
            windows.addAll(packer.add(tok.encode(TEXT), true));
        }
        List<TokenBatch> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(Batches.causal(windows.subList(i * batch, (i + 1) * batch)));
        }
        return out;
    }

    @Test
    void gptLossFallsOnRepetitiveText() throws Exception {
        try (GptModel model = GptModel.create(GPT, Tokenizers.bytes(), 1);
                Trainer trainer = new Trainer(model, training(8, 32, 3e-3))) {
            List<TokenBatch> batches = causalBatches(model.tokenizer(), 40, 8, 32);
            double first = trainer.evaluate(batches.subList(0, 2));
            List<Double> losses = new ArrayList<>();
            for (TokenBatch b : batches) {
                StepResult r = trainer.step(b);
                assertThat(r.loss()).isFinite();
                assertThat(r.gradNorm()).isFinite().isPositive();
                losses.add(r.loss());
            }
            double last = trainer.evaluate(batches.subList(0, 2));
            assertThat(first).isGreaterThan(5.0); // ~ln(257) at init
            assertThat(last).isLessThan(first * 0.6);
            assertThat(trainer.steps()).isEqualTo(40);
            assertThat(trainer.tokensTrained()).isEqualTo(40L * 8 * 32);
        }
    }

    @Test
    void aRestoredSnapshotContinuesTheRunExactly() throws Exception {
        List<TokenBatch> batches;
        byte[] snapshot;
        List<Double> continued = new ArrayList<>();
        try (GptModel model = GptModel.create(GPT, Tokenizers.bytes(), 1);
                Trainer trainer = new Trainer(model, TrainingConfig.defaults().withBatch(4, 32))) {
            batches = causalBatches(model.tokenizer(), 8, 4, 32);
            for (int i = 0; i < 4; i++) {
                trainer.step(batches.get(i));
            }
            snapshot = trainer.snapshot();
            for (int i = 4; i < 8; i++) {
                continued.add(trainer.step(batches.get(i)).loss());
            }
        }
        // a model with other weights, restored from the snapshot
        try (GptModel other = GptModel.create(GPT, Tokenizers.bytes(), 99);
                Trainer trainer = new Trainer(other, TrainingConfig.defaults().withBatch(4, 32))) {
            trainer.restore(snapshot);
            assertThat(trainer.steps()).isEqualTo(4);
            assertThat(trainer.tokensTrained()).isEqualTo(4L * 4 * 32);
            List<Double> replayed = new ArrayList<>();
            for (int i = 4; i < 8; i++) {
                replayed.add(trainer.step(batches.get(i)).loss());
            }
            assertThat(replayed).containsExactlyElementsOf(continued);
        }
        // a snapshot of another kind of model is refused
        try (BertModel bert = BertModel.create(tinyBert(), ByteMlmVocabulary.tokenizer(), 1);
                Trainer trainer = new Trainer(bert, TrainingConfig.defaults().withBatch(2, 16))) {
            assertThatThrownBy(() -> trainer.restore(snapshot))
                    .hasMessageContaining("snapshot is of a gpt model, not bert");
        }
    }

    private static BertConfig tinyBert() {
        return new BertConfig(
                ByteMlmVocabulary.SIZE,
                64,
                64,
                2,
                4,
                128,
                2,
                1e-12f,
                0f,
                0f,
                ByteMlmVocabulary.PAD);
    }

    @Test
    void bertMaskedLmLossFalls() throws Exception {
        try (BertModel model = BertModel.create(tinyBert(), ByteMlmVocabulary.tokenizer(), 3);
                Trainer trainer = new Trainer(model, training(8, 32, 3e-3))) {
            MaskedPacker packer =
                    new MaskedPacker(
                            32,
                            ByteMlmVocabulary.CLS,
                            ByteMlmVocabulary.SEP,
                            ByteMlmVocabulary.PAD);
            List<PackedSequence> sequences = new ArrayList<>();
            while (sequences.size() < 8 * 30) {
                sequences.addAll(packer.add(model.tokenizer().encode(TEXT)));
            }
            Set<Integer> special = Set.of(256, 257, 258, 259, 260);
            List<Double> losses = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                TokenBatch b =
                        Batches.masked(
                                sequences.subList(i * 8, i * 8 + 8),
                                0.15,
                                ByteMlmVocabulary.MASK,
                                261,
                                special,
                                i);
                losses.add(trainer.step(b).loss());
            }
            assertThat(losses).allSatisfy(l -> assertThat(l).isFinite());
            double early =
                    losses.subList(0, 5).stream()
                            .mapToDouble(Double::doubleValue)
                            .average()
                            .orElseThrow();
            double late =
                    losses.subList(25, 30).stream()
                            .mapToDouble(Double::doubleValue)
                            .average()
                            .orElseThrow();
            assertThat(late).isLessThan(early * 0.8);
        }
    }

    @Test
    void theGateLetsOneStepInAtATime() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                futures.add(
                        pool.submit(
                                () ->
                                        TrainingGate.run(
                                                () -> {
                                                    int now = inside.incrementAndGet();
                                                    maxInside.accumulateAndGet(now, Math::max);
                                                    Thread.sleep(2);
                                                    inside.decrementAndGet();
                                                    return now;
                                                })));
            }
            for (Future<Integer> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(maxInside.get()).isEqualTo(1);
    }

    @Test
    void sequencesLongerThanTheModelAreRefused() {
        try (GptModel model = GptModel.create(GPT, Tokenizers.bytes(), 1)) {
            assertThatThrownBy(
                            () -> new Trainer(model, TrainingConfig.defaults().withBatch(2, 128)))
                    .hasMessage("sequence length 128 exceeds the model's 64 positions");
        }
    }
}
