package io.belamy.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import java.util.SplittableRandom;

/**
 * Normal(0, sigma) initialization drawn from a Java generator seeded per parameter, so the same
 * seed gives the same weights on every run and engine thread count, without touching the engine's
 * global random state.
 */
public final class SeededNormal implements Initializer {

    private final float sigma;
    private final long seed;

    /**
     * @param sigma standard deviation, &gt; 0
     * @param seed seed of this parameter's generator
     */
    public SeededNormal(float sigma, long seed) {
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("sigma must be > 0, got " + sigma);
        }
        this.sigma = sigma;
        this.seed = seed;
    }

    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (nextGaussian(random) * sigma);
        }
        return manager.create(values, shape).toType(dataType, false);
    }

    /** Box–Muller; SplittableRandom has no nextGaussian before Java 17's RandomGenerator. */
    private static double nextGaussian(SplittableRandom random) {
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
    }
}
