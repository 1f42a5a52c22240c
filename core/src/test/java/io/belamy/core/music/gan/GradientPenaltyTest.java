package io.belamy.core.music.gan;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.belamy.core.music.PianoRoll;
import io.belamy.core.music.RollSpec;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The critic's gradient with the gradient penalty (a gradient of a gradient, through DJL's
 * create_graph backward) equals finite differences of the critic loss.
 */
class GradientPenaltyTest {

    static final GanConfig TINY =
            new GanConfig(
                    new RollSpec(1, 4, 60, 3, List.of(RollSpec.BASS, RollSpec.PIANO)), 2, 3, 3, 3);

    @Test
    void criticGradientsMatchFiniteDifferencesOfTheLoss() throws Exception {
        check(GanTrainer.Settings.defaults().withBatchSize(2).withCriticSteps(1));
    }

    /** Biases away from 0: an empty bar would sit exactly on a leaky ReLU's kink otherwise. */
    static void shiftBiases(MuseGan model) {
        SplittableRandom r = new SplittableRandom(4);
        model.weights("critic.")
                .forEach(
                        (k, w) -> {
                            if (k.endsWith(".bias")) {
                                float[] v = w.toFloatArray();
                                for (int i = 0; i < v.length; i++) {
                                    v[i] = (float) (r.nextDouble() - 0.5);
                                }
                                w.set(v);
                            }
                        });
    }

    void check(GanTrainer.Settings settings) throws Exception {
        PianoRoll a = PianoRoll.of(TINY.roll(), cells(1), 0.5f);
        PianoRoll b = PianoRoll.of(TINY.roll(), cells(2), 0.5f);
        List<PianoRoll> batch = List.of(a, b);
        try (MuseGan model = MuseGan.create(TINY, 3);
                GanTrainer trainer = new GanTrainer(model, settings);
                NDManager m = model.manager().newSubManager()) {
            shiftBiases(model);
            float[] figures = new float[3];
            Map<String, NDArray> grads =
                    trainer.criticGradients(m, batch, new SplittableRandom(9), figures);
            assertThat(figures[2]).as("penalty").isPositive();
            assertThat(loss(model, batch, settings.penalty()))
                    .isCloseTo(figures[0], org.assertj.core.data.Offset.offset(1e-4));

            int checked = 0;
            for (String name :
                    List.of(
                            "critic.bar.weight",
                            "critic.joint.weight",
                            "critic.out.weight",
                            "critic.bar.bias")) {
                NDArray w = model.weights().get(name);
                float[] values = w.toFloatArray();
                float[] g = grads.get(name).toFloatArray();
                for (int i = 0; i < values.length; i += Math.max(1, values.length / 4)) {
                    float eps = 2e-3f;
                    float[] up = values.clone();
                    up[i] += eps;
                    w.set(up);
                    double lossUp = loss(model, batch, settings.penalty());
                    float[] down = values.clone();
                    down[i] -= eps;
                    w.set(down);
                    double lossDown = loss(model, batch, settings.penalty());
                    w.set(values);
                    double numeric = (lossUp - lossDown) / (2 * eps);
                    assertThat((double) g[i])
                            .as(name + "[" + i + "]")
                            .isCloseTo(
                                    numeric,
                                    org.assertj.core.data.Offset.offset(
                                            2e-2 * Math.max(1, Math.abs(numeric))));
                    checked++;
                }
            }
            assertThat(checked).isGreaterThan(10);
        }
    }

    /** The critic loss at the current weights, its penalty from a first-order gradient only. */
    static double loss(MuseGan model, List<PianoRoll> batch, float lambda) {
        SplittableRandom noise = new SplittableRandom(9); // as criticGradients draws it
        int n = batch.size();
        float[] alpha = new float[n];
        for (int i = 0; i < n; i++) {
            alpha[i] = (float) noise.nextDouble();
        }
        try (NDManager m = model.manager().newSubManager()) {
            NDArray real = GanTrainer.stack(m, batch);
            NDArray fake =
                    model.generate(model.weights("generator."), model.latents(m, n, noise), true)
                            .stopGradient();
            Map<String, NDArray> critic = model.weights("critic.");
            NDArray av = m.create(alpha, new Shape(n, 1, 1, 1));
            NDArray between =
                    real.mul(av).add(fake.mul(m.ones(av.getShape()).sub(av))).stopGradient();
            between.setRequiresGradient(true);
            float[] grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(model.criticize(critic, between).sum());
                grad = between.getGradient().toFloatArray();
            }
            double penalty = 0;
            int size = grad.length / n;
            for (int i = 0; i < n; i++) {
                double sq = 0;
                for (int j = i * size; j < (i + 1) * size; j++) {
                    sq += grad[j] * (double) grad[j];
                }
                penalty += Math.pow(Math.sqrt(sq) - 1, 2) / n;
            }
            double w =
                    model.criticize(critic, real).mean().getFloat()
                            - model.criticize(critic, fake).mean().getFloat();
            return -w + lambda * penalty;
        }
    }

    static float[] cells(int seed) {
        float[] v = new float[TINY.roll().size()];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(3) == 0 ? 1 : 0;
        }
        return v;
    }
}
