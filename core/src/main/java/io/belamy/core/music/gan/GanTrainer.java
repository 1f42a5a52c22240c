package io.belamy.core.music.gan;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.belamy.core.io.Safetensors;
import io.belamy.core.io.Tensor;
import io.belamy.core.music.PianoRoll;
import io.belamy.core.nn.Scalars;
import io.belamy.core.train.TrainingGate;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains a {@link MuseGan} with the Wasserstein loss and gradient penalty (WGAN-GP, Gulrajani et
 * al. 2017): per step, {@code criticSteps} critic updates, then one generator update, each through
 * the JVM-wide {@link TrainingGate}.
 *
 * <p>Critic loss: {@code D(fake) - D(real) + lambda (||grad D(x^)|| - 1)^2} at random points {@code
 * x^} between real and fake rolls. The penalty needs the gradient of a gradient. DJL's PyTorch
 * engine runs a backward pass that keeps its graph ({@code create_graph}), so the penalty is exact,
 * but such a pass also adds dD(x^)/dw to the critic's weight gradients and ties them to the graph
 * (a reference cycle PyTorch warns about). So each critic update runs on fresh copies of the
 * critic's weights, whose gradients die with the update's arrays, and its loss subtracts {@code sum
 * D(x^)} to cancel the extra term. {@code GradientPenaltyTest} checks the result against finite
 * differences.
 *
 * <p>Noise (latents and interpolation points) comes from a seed and the step number, so a restored
 * trainer continues exactly.
 */
public final class GanTrainer implements AutoCloseable {

    /**
     * @param batchSize rolls per critic or generator update
     * @param criticSteps critic updates per generator update
     * @param penalty gradient-penalty weight (lambda)
     */
    public record Settings(
            int batchSize,
            int criticSteps,
            float penalty,
            float learningRate,
            float beta1,
            float beta2,
            long seed) {
        public Settings {
            if (batchSize < 1 || batchSize > 1024) {
                throw new IllegalArgumentException(
                        "batch size must be 1 to 1024, got " + batchSize);
            }
            if (criticSteps < 1 || criticSteps > 100) {
                throw new IllegalArgumentException(
                        "critic steps must be 1 to 100, got " + criticSteps);
            }
            if (!(penalty >= 0)) {
                throw new IllegalArgumentException("gradient penalty must be >= 0, got " + penalty);
            }
            if (!(learningRate > 0 && learningRate < 1)) {
                throw new IllegalArgumentException(
                        "learning rate must be in (0, 1), got " + learningRate);
            }
        }

        /** Batch 16, 5 critic updates, lambda 10, Adam 1e-3 with betas (0.5, 0.9) as MuseGAN. */
        public static Settings defaults() {
            return new Settings(16, 5, 10f, 1e-3f, 0.5f, 0.9f, 1);
        }

        public Settings withBatchSize(int b) {
            return new Settings(b, criticSteps, penalty, learningRate, beta1, beta2, seed);
        }

        public Settings withCriticSteps(int c) {
            return new Settings(batchSize, c, penalty, learningRate, beta1, beta2, seed);
        }

        public Settings withSeed(long s) {
            return new Settings(batchSize, criticSteps, penalty, learningRate, beta1, beta2, s);
        }

        /** Real rolls one step needs. */
        public int rollsPerStep() {
            return batchSize * criticSteps;
        }
    }

    /**
     * One step's figures (the last critic update's).
     *
     * @param wasserstein the critic's estimate {@code mean D(real) - mean D(fake)}
     */
    public record StepResult(
            long step,
            double criticLoss,
            double generatorLoss,
            double wasserstein,
            double gradientPenalty,
            long nanos) {}

    private final MuseGan model;
    private final Settings settings;
    private final Map<String, NDArray> generator;
    private final Map<String, NDArray> critic;
    private final ArrayAdam generatorAdam;
    private final ArrayAdam criticAdam;
    private long steps;

    public GanTrainer(MuseGan model, Settings settings) {
        this.model = model;
        this.settings = settings;
        this.generator = model.weights("generator.");
        this.critic = model.weights("critic.");
        generator.values().forEach(w -> w.setRequiresGradient(true));
        this.generatorAdam =
                new ArrayAdam(
                        generator,
                        settings.learningRate(),
                        settings.beta1(),
                        settings.beta2(),
                        model.manager());
        this.criticAdam =
                new ArrayAdam(
                        critic,
                        settings.learningRate(),
                        settings.beta1(),
                        settings.beta2(),
                        model.manager());
    }

    public MuseGan model() {
        return model;
    }

    public Settings settings() {
        return settings;
    }

    public long steps() {
        return steps;
    }

    /**
     * One step on {@link Settings#rollsPerStep()} real rolls: {@code batchSize} of them for each
     * critic update.
     */
    public StepResult step(List<PianoRoll> real) throws Exception {
        if (real.size() != settings.rollsPerStep()) {
            throw new IllegalArgumentException(
                    "a step takes " + settings.rollsPerStep() + " rolls, got " + real.size());
        }
        return TrainingGate.run(() -> unguardedStep(real));
    }

    private StepResult unguardedStep(List<PianoRoll> real) {
        long start = System.nanoTime();
        long step = steps + 1;
        float[] critic = new float[3];
        for (int c = 0; c < settings.criticSteps(); c++) {
            List<PianoRoll> batch =
                    real.subList(c * settings.batchSize(), (c + 1) * settings.batchSize());
            critic = criticUpdate(batch, noise(step, c));
        }
        float generatorLoss = generatorUpdate(noise(step, settings.criticSteps()));
        steps = step;
        if (!Float.isFinite(critic[0]) || !Float.isFinite(generatorLoss)) {
            throw new IllegalStateException(
                    "GAN losses are not finite at step "
                            + step
                            + ": critic "
                            + critic[0]
                            + ", generator "
                            + generatorLoss);
        }
        return new StepResult(
                step, critic[0], generatorLoss, critic[1], critic[2], System.nanoTime() - start);
    }

    private SplittableRandom noise(long step, int update) {
        return new SplittableRandom(settings.seed() * 1_000_003L + step * 101 + update);
    }

    /**
     * @return {critic loss, Wasserstein estimate, gradient penalty}
     */
    private float[] criticUpdate(List<PianoRoll> batch, SplittableRandom noise) {
        try (NDManager m = model.manager().newSubManager()) {
            float[] out = new float[3];
            Map<String, NDArray> grads = criticGradients(m, batch, noise, out);
            criticAdam.update(grads);
            return out;
        }
    }

    /**
     * The critic loss's gradients with respect to the critic's weights (arrays of {@code m}).
     *
     * @param figures receives {critic loss, Wasserstein estimate, gradient penalty}
     */
    Map<String, NDArray> criticGradients(
            NDManager m, List<PianoRoll> batch, SplittableRandom noise, float[] figures) {
        int b = batch.size();
        Map<String, NDArray> copies = new LinkedHashMap<>();
        critic.forEach(
                (k, w) -> {
                    NDArray copy = w.duplicate();
                    copy.attach(m);
                    copy.setRequiresGradient(true);
                    copies.put(k, copy);
                });
        NDArray realRolls = stack(m, batch);
        float[] alpha = new float[b];
        for (int i = 0; i < b; i++) {
            alpha[i] = (float) noise.nextDouble();
        }
        NDArray fake =
                model.generate(generator, model.latents(m, b, noise), true); // no gradients here
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray a = m.create(alpha, new Shape(b, 1, 1, 1));
            NDArray between = realRolls.mul(a).add(fake.mul(Scalars.of(a, 1f).sub(a)));
            between.setRequiresGradient(true);
            NDArray scoreBetween = model.criticize(copies, between).sum();
            JniUtils.backward(
                    (PtNDArray) scoreBetween, (PtNDArray) m.ones(new Shape()), true, true);
            NDArray grad = between.getGradient(); // carries its graph
            NDArray norms =
                    grad.square().sum(new int[] {1, 2, 3}).add(Scalars.of(grad, 1e-12f)).sqrt();
            NDArray penalty = norms.sub(Scalars.of(norms, 1f)).square().mean();
            NDArray wasserstein =
                    model.criticize(copies, realRolls)
                            .mean()
                            .sub(model.criticize(copies, fake).mean());
            NDArray loss =
                    wasserstein
                            .neg()
                            .add(penalty.mul(Scalars.of(penalty, settings.penalty())))
                            .sub(scoreBetween); // cancels what the penalty's backward added
            JniUtils.backward((PtNDArray) loss, (PtNDArray) m.ones(new Shape()), false, false);
            figures[1] = wasserstein.getFloat();
            figures[2] = penalty.getFloat();
            figures[0] = -figures[1] + settings.penalty() * figures[2];
        }
        Map<String, NDArray> grads = new LinkedHashMap<>();
        copies.forEach((k, w) -> grads.put(k, w.getGradient()));
        return grads;
    }

    private float generatorUpdate(SplittableRandom noise) {
        try (NDManager m = model.manager().newSubManager()) {
            NDList latents = model.latents(m, settings.batchSize(), noise);
            float loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray fake = model.generate(generator, latents, true);
                NDArray l = model.criticize(critic, fake).mean().neg();
                gc.backward(l);
                loss = l.getFloat();
            }
            Map<String, NDArray> grads = new LinkedHashMap<>();
            generator.forEach(
                    (k, w) -> {
                        NDArray g = w.getGradient();
                        g.attach(m); // the handle closes with the update
                        grads.put(k, g);
                    });
            generatorAdam.update(grads);
            return loss;
        }
    }

    /** (B, K, S, P) from rolls. */
    static NDArray stack(NDManager m, List<PianoRoll> rolls) {
        int size = rolls.get(0).spec().size();
        float[] all = new float[size * rolls.size()];
        for (int i = 0; i < rolls.size(); i++) {
            System.arraycopy(rolls.get(i).toFloats(), 0, all, i * size, size);
        }
        var spec = rolls.get(0).spec();
        return m.create(
                all, new Shape(rolls.size(), spec.tracks().size(), spec.steps(), spec.pitches()));
    }

    /** Weights, both optimizers' moments and the step count, as safetensors bytes. */
    public byte[] snapshot() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.weights()
                .forEach(
                        (k, v) ->
                                tensors.put(
                                        "model." + k,
                                        Tensor.ofFloats(
                                                v.getShape().getShape(), v.toFloatArray())));
        tensors.putAll(generatorAdam.state("adam.generator."));
        tensors.putAll(criticAdam.state("adam.critic."));
        return Safetensors.toBytes(
                tensors, Map.of("kind", MuseGan.KIND, "steps", Long.toString(steps)));
    }

    /**
     * Restores a {@link #snapshot()}: the next step continues the snapshotted run exactly.
     *
     * @throws IOException when the bytes are not a snapshot of this model
     */
    public void restore(byte[] snapshot) throws IOException {
        Safetensors.Contents c = Safetensors.fromBytes(snapshot);
        if (!MuseGan.KIND.equals(c.metadata().get("kind"))) {
            throw new IOException(
                    "snapshot is of a " + c.metadata().get("kind") + " model, not " + MuseGan.KIND);
        }
        long restoredSteps = Long.parseLong(c.metadata().get("steps"));
        try {
            generator.values().forEach(w -> w.setRequiresGradient(false));
            for (Map.Entry<String, NDArray> e : model.weights().entrySet()) {
                Tensor t = c.tensors().get("model." + e.getKey());
                if (t == null) {
                    throw new IOException("snapshot lacks model." + e.getKey());
                }
                e.getValue().set(t.toFloats());
            }
            generatorAdam.restore(c.tensors(), "adam.generator.", restoredSteps);
            criticAdam.restore(c.tensors(), "adam.critic.", restoredSteps * settings.criticSteps());
        } catch (IllegalArgumentException e) {
            throw new IOException("training snapshot does not fit the model: " + e.getMessage(), e);
        } finally {
            generator.values().forEach(w -> w.setRequiresGradient(true));
        }
        steps = restoredSteps;
    }

    @Override
    public void close() {
        generatorAdam.close();
        criticAdam.close();
        generator.values().forEach(w -> w.setRequiresGradient(false));
    }
}
