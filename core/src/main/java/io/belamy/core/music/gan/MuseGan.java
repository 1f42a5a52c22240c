package io.belamy.core.music.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.belamy.core.Djl;
import io.belamy.core.io.Safetensors;
import io.belamy.core.io.Tensor;
import io.belamy.core.music.PianoRoll;
import io.belamy.core.music.RollSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A MuseGAN-style multi-track music GAN (Dong et al. 2018, the "hybrid" model) over piano rolls.
 *
 * <p>Shapes: B batch, K tracks, N bars, S steps per bar, P pitches, Z latent size, H hidden sizes.
 *
 * <p>Generator: four latents per sample, {@code shared} (B, Z) and {@code private} (B, K, Z) for
 * the whole phrase, {@code sharedTemporal} (B, Z) and {@code privateTemporal} (B, K, Z) that
 * temporal networks unfold into one vector per bar, (B, N, Z) and (B, K, N, Z). Each track's bar
 * generator (own weights per track) maps the four vectors of a bar, (4Z), through one hidden layer
 * to logits of the bar's (S x P) cells plus logits of its (4 beats x P), each held over the beat's
 * steps (as MuseGAN's transposed convolutions build a bar from beats); a sigmoid gives the
 * probability that a cell sounds.
 *
 * <p>Critic: each track's bars are encoded with the track's own weights, (S x P) -&gt; H; the codes
 * of all tracks and bars are joined, (K x N x H) -&gt; H2 -&gt; 1, a Wasserstein score.
 *
 * <p>Weights are named arrays ({@code generator.*}, {@code critic.*}); the forward passes take the
 * weights as arguments, so that training can run the critic on copies (see {@link GanTrainer}).
 */
public final class MuseGan implements AutoCloseable {

    public static final String KIND = "musegan";
    private static final float LEAK = 0.2f;

    /**
     * Initial scale of the per-step output weights relative to He initialization: small, so that
     * the untrained generator plays beat-long notes and training learns the finer rhythm.
     */
    private static final double FINE_SCALE = 0.1;

    private final GanConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> weights;

    private MuseGan(GanConfig config, NDManager manager, Map<String, NDArray> weights) {
        this.config = config;
        this.manager = manager;
        this.weights = weights;
    }

    /**
     * Fresh weights: He-normal (the per-step output weights scaled by 0.1, see {@code FINE_SCALE}),
     * biases 0 but the per-step output bias -2 (sparse rolls).
     */
    public static MuseGan create(GanConfig config, long seed) {
        NDManager manager = Djl.newManager();
        Map<String, NDArray> w = new LinkedHashMap<>();
        SplittableRandom r = new SplittableRandom(seed);
        for (Map.Entry<String, long[]> e : shapes(config).entrySet()) {
            long[] shape = e.getValue();
            int count = Math.toIntExact(new Shape(shape).size());
            float[] values = new float[count];
            if (e.getKey().endsWith(".weight")) {
                long fanIn = shape[shape.length - 2];
                double std =
                        Math.sqrt(2.0 / fanIn)
                                * (e.getKey().equals("generator.bar.fc2.weight") ? FINE_SCALE : 1);
                for (int i = 0; i < count; i++) {
                    values[i] = (float) (gaussian(r) * std);
                }
            } else if (e.getKey().equals("generator.bar.fc2.bias")) {
                java.util.Arrays.fill(values, -2f);
            }
            w.put(e.getKey(), manager.create(values, new Shape(shape)));
        }
        return new MuseGan(config, manager, w);
    }

    /** Parameter names and shapes, in a fixed order (a checkpoint format). */
    public static Map<String, long[]> shapes(GanConfig c) {
        long k = c.tracks();
        long n = c.roll().bars();
        long z = c.latentSize();
        long cells = c.barCells();
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("generator.temporal.shared.weight", new long[] {z, n * z});
        s.put("generator.temporal.shared.bias", new long[] {n * z});
        s.put("generator.temporal.private.weight", new long[] {k, z, n * z});
        s.put("generator.temporal.private.bias", new long[] {k, 1, n * z});
        s.put("generator.bar.fc1.weight", new long[] {k, 4 * z, c.generatorHidden()});
        s.put("generator.bar.fc1.bias", new long[] {k, 1, c.generatorHidden()});
        s.put("generator.bar.fc2.weight", new long[] {k, c.generatorHidden(), cells});
        s.put("generator.bar.fc2.bias", new long[] {k, 1, cells});
        s.put("generator.bar.beats.weight", new long[] {k, c.generatorHidden(), beatCells(c)});
        s.put("generator.bar.beats.bias", new long[] {k, 1, beatCells(c)});
        s.put(
                "critic.bar.weight",
                new long[] {k, cells + beatCells(c) + c.roll().pitches(), c.criticHidden()});
        s.put("critic.bar.bias", new long[] {k, 1, c.criticHidden()});
        s.put("critic.joint.weight", new long[] {k * n * c.criticHidden(), c.criticJoint()});
        s.put("critic.joint.bias", new long[] {c.criticJoint()});
        s.put("critic.out.weight", new long[] {c.criticJoint(), 1});
        s.put("critic.out.bias", new long[] {1});
        return s;
    }

    /** Cells of one bar at beat resolution (4 beats x P). */
    static long beatCells(GanConfig c) {
        return 4L * c.roll().pitches();
    }

    public GanConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    /** The weights by name (the arrays themselves). */
    public Map<String, NDArray> weights() {
        return weights;
    }

    /** The generator's weights, or the critic's. */
    public Map<String, NDArray> weights(String prefix) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        weights.forEach(
                (k, v) -> {
                    if (k.startsWith(prefix)) {
                        out.put(k, v);
                    }
                });
        return out;
    }

    public long parameterCount() {
        return weights.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    /**
     * Latents of a batch: {@code [shared (B, Z), private (B, K, Z), sharedTemporal (B, Z),
     * privateTemporal (B, K, Z)]}.
     */
    public NDList latents(NDManager m, int batch, SplittableRandom r) {
        int z = config.latentSize();
        int k = config.tracks();
        return new NDList(
                normal(m, r, new Shape(batch, z)),
                normal(m, r, new Shape(batch, k, z)),
                normal(m, r, new Shape(batch, z)),
                normal(m, r, new Shape(batch, k, z)));
    }

    /**
     * Cell probabilities of a batch.
     *
     * @param w the generator's weights
     * @param latents as {@link #latents}
     * @return (B, K, N x S, P) in [0, 1]
     */
    public NDArray generate(Map<String, NDArray> w, NDList latents) {
        return generate(w, latents, false);
    }

    /**
     * Cells of a batch, as probabilities or binarized.
     *
     * @param binary 1 where the probability exceeds 0.5, else 0, with the probability's gradient (a
     *     straight-through estimator, BinaryMuseGAN's deterministic binary neurons): the critic
     *     then judges rolls as they will be played
     * @return (B, K, N x S, P)
     */
    public NDArray generate(Map<String, NDArray> w, NDList latents, boolean binary) {
        long b = latents.get(0).getShape().get(0);
        int k = config.tracks();
        int n = config.roll().bars();
        int z = config.latentSize();
        RollSpec roll = config.roll();
        // temporal networks: one vector per bar
        NDArray shared =
                Activation.leakyRelu(
                                latents.get(2)
                                        .matMul(w.get("generator.temporal.shared.weight"))
                                        .add(w.get("generator.temporal.shared.bias")),
                                LEAK)
                        .reshape(1, b, n, z); // (B, Z) -> (1, B, N, Z)
        NDArray privateT =
                Activation.leakyRelu(
                                latents.get(3)
                                        .transpose(1, 0, 2) // (K, B, Z)
                                        .matMul(w.get("generator.temporal.private.weight"))
                                        .add(w.get("generator.temporal.private.bias")),
                                LEAK)
                        .reshape(k, b, n, z); // (K, B, N x Z) -> (K, B, N, Z)
        Shape bars = new Shape(k, b, n, z);
        NDArray input =
                ai.djl.ndarray.NDArrays.concat(
                        new NDList(
                                latents.get(0).reshape(1, b, 1, z).broadcast(bars),
                                latents.get(1)
                                        .transpose(1, 0, 2)
                                        .reshape(k, b, 1, z)
                                        .broadcast(bars),
                                shared.broadcast(bars),
                                privateT),
                        -1); // (K, B, N, 4Z)
        // each track's bar generator: (K, B x N, 4Z) -> (K, B x N, H) -> (K, B x N, S x P)
        NDArray hidden =
                Activation.relu(
                        input.reshape(k, b * n, 4L * z)
                                .matMul(w.get("generator.bar.fc1.weight"))
                                .add(w.get("generator.bar.fc1.bias")));
        // logits per step plus logits per beat held over the beat's steps, so that sustained
        // notes are as easy to make as short ones
        int steps = roll.stepsPerBar();
        NDArray fine =
                hidden.matMul(w.get("generator.bar.fc2.weight"))
                        .add(w.get("generator.bar.fc2.bias"))
                        .reshape(k, b * n, 4, steps / 4, roll.pitches());
        NDArray beats =
                hidden.matMul(w.get("generator.bar.beats.weight"))
                        .add(w.get("generator.bar.beats.bias"))
                        .reshape(k, b * n, 4, 1, roll.pitches());
        NDArray cells = Activation.sigmoid(fine.add(beats));
        if (binary) {
            NDArray rounded = cells.gt(0.5f).toType(cells.getDataType(), false); // no gradient
            cells = cells.add(rounded.sub(cells).stopGradient());
        }
        // (K, B, N, S, P) -> (B, K, N, S, P) -> (B, K, N x S, P)
        return cells.reshape(k, b, n, roll.stepsPerBar(), roll.pitches())
                .transpose(1, 0, 2, 3, 4)
                .reshape(b, k, (long) n * roll.stepsPerBar(), roll.pitches());
    }

    /**
     * Wasserstein scores.
     *
     * @param w the critic's weights
     * @param rolls (B, K, N x S, P)
     * @return (B)
     */
    public NDArray criticize(Map<String, NDArray> w, NDArray rolls) {
        long b = rolls.getShape().get(0);
        int k = config.tracks();
        int n = config.roll().bars();
        // (B, K, N x S, P) -> (K, B x N, S x P): each track's bars, beside each beat's mean
        // (how much of the beat a pitch sounds: held notes stand out)
        NDArray bars =
                rolls.reshape(b, k, n, config.barCells())
                        .transpose(1, 0, 2, 3)
                        .reshape(k, b * n, config.barCells());
        int steps = config.roll().stepsPerBar();
        NDArray beats =
                bars.reshape(k, b * n, 4, steps / 4, config.roll().pitches())
                        .mean(new int[] {3})
                        .reshape(k, b * n, beatCells(config));
        // note boundaries per pitch: how often a pitch starts or stops within the bar (many for
        // fragmented notes, two for a held one)
        NDArray steps4 = bars.reshape(k, b * n, steps, config.roll().pitches());
        NDArray boundaries =
                steps4.get(":, :, 1:")
                        .sub(steps4.get(":, :, :-1"))
                        .abs()
                        .sum(new int[] {2}); // (K, B x N, P)
        bars = ai.djl.ndarray.NDArrays.concat(new NDList(bars, beats, boundaries), -1);
        NDArray codes =
                Activation.leakyRelu(
                        bars.matMul(w.get("critic.bar.weight")).add(w.get("critic.bar.bias")),
                        LEAK); // (K, B x N, H)
        NDArray joined =
                codes.reshape(k, b, n, config.criticHidden())
                        .transpose(1, 0, 2, 3)
                        .reshape(b, (long) k * n * config.criticHidden()); // (B, K x N x H)
        NDArray h =
                Activation.leakyRelu(
                        joined.matMul(w.get("critic.joint.weight")).add(w.get("critic.joint.bias")),
                        LEAK);
        return h.matMul(w.get("critic.out.weight")).add(w.get("critic.out.bias")).reshape(b);
    }

    /**
     * Generates rolls: each cell sounds where its probability exceeds 0.5.
     *
     * @param seed seed of the latent draw (the same seed gives the same rolls)
     */
    public List<PianoRoll> sample(int count, long seed) {
        try (NDManager m = manager.newSubManager()) {
            NDArray p =
                    generate(weights("generator."), latents(m, count, new SplittableRandom(seed)));
            float[] all = p.toFloatArray();
            int size = config.roll().size();
            List<PianoRoll> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                out.add(
                        PianoRoll.of(
                                config.roll(),
                                java.util.Arrays.copyOfRange(all, i * size, (i + 1) * size),
                                0.5f));
            }
            return out;
        }
    }

    /** Writes {@code config.json} and {@code model.safetensors} into {@code dir}. */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        config.write(dir.resolve("config.json"));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        weights.forEach(
                (k, v) ->
                        tensors.put(k, Tensor.ofFloats(v.getShape().getShape(), v.toFloatArray())));
        Safetensors.write(dir.resolve("model.safetensors"), tensors);
    }

    /**
     * Loads a model directory.
     *
     * @throws IOException naming a missing or misshapen tensor
     */
    public static MuseGan load(Path dir) throws IOException {
        GanConfig config = GanConfig.read(dir.resolve("config.json"));
        Map<String, Tensor> tensors = Safetensors.read(dir.resolve("model.safetensors"));
        NDManager manager = Djl.newManager();
        Map<String, NDArray> w = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, long[]> e : shapes(config).entrySet()) {
                Tensor t = tensors.get(e.getKey());
                if (t == null) {
                    throw new IOException(dir + ": model.safetensors lacks " + e.getKey());
                }
                if (!java.util.Arrays.equals(t.shape(), e.getValue())) {
                    throw new IOException(
                            dir
                                    + ": "
                                    + e.getKey()
                                    + " has shape "
                                    + java.util.Arrays.toString(t.shape())
                                    + ", config.json implies "
                                    + java.util.Arrays.toString(e.getValue()));
                }
                w.put(e.getKey(), manager.create(t.toFloats(), new Shape(e.getValue())));
            }
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
        return new MuseGan(config, manager, w);
    }

    static NDArray normal(NDManager m, SplittableRandom r, Shape shape) {
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) gaussian(r);
        }
        return m.create(v, shape);
    }

    static double gaussian(SplittableRandom r) {
        double u1 = r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    @Override
    public void close() {
        manager.close();
    }
}
