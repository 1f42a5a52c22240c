package io.belamy.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.belamy.core.io.Safetensors;
import io.belamy.core.io.Tensor;
import io.belamy.core.nn.Weights;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains a {@link LanguageModel} one batch at a time: forward, backward, global gradient-norm
 * clipping, AdamW with the configured schedule. Each step runs in its own sub-manager and passes
 * through the JVM-wide {@link TrainingGate}. The whole state (weights, optimizer moments, counters)
 * can be {@link #snapshot() snapshotted} and {@link #restore(byte[]) restored} exactly.
 */
public final class Trainer implements AutoCloseable {

    private final LanguageModel model;
    private final TrainingConfig config;
    private final Map<String, Parameter> parameters;
    private final AdamW optimizer;
    private long tokensTrained;

    /** Unfreezes the model's parameters for training. */
    public Trainer(LanguageModel model, TrainingConfig config) {
        if (config.sequenceLength() > model.maxPositions()) {
            throw new IllegalArgumentException(
                    "sequence length "
                            + config.sequenceLength()
                            + " exceeds the model's "
                            + model.maxPositions()
                            + " positions");
        }
        this.model = model;
        this.config = config;
        this.parameters = model.namedParameters();
        model.freeze(false);
        this.optimizer = new AdamW(parameters, config, model.manager());
    }

    public TrainingConfig config() {
        return config;
    }

    public LanguageModel model() {
        return model;
    }

    /** Steps done. */
    public long steps() {
        return optimizer.steps();
    }

    /** Tokens trained so far. */
    public long tokensTrained() {
        return tokensTrained;
    }

    /** Trains on one batch. */
    public StepResult step(TokenBatch batch) throws Exception {
        return TrainingGate.run(() -> unguardedStep(batch));
    }

    private StepResult unguardedStep(TokenBatch batch) {
        long start = System.nanoTime();
        double lr = config.schedule().at(optimizer.steps());
        float loss;
        double norm;
        try (NDManager m = model.manager().newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = model.loss(ps, m, batch, true);
                gc.backward(l);
                loss = l.getFloat();
            }
            if (!Float.isFinite(loss)) {
                throw new IllegalStateException(
                        "loss is " + loss + " at step " + (optimizer.steps() + 1));
            }
            norm = globalGradientNorm(m);
        }
        float scale = 1f;
        if (config.maxGradNorm() > 0 && norm > config.maxGradNorm()) {
            scale = (float) (config.maxGradNorm() / (norm + 1e-6));
        }
        optimizer.update(lr, scale);
        tokensTrained += batch.tokens();
        return new StepResult(
                optimizer.steps(), loss, norm, lr, batch.tokens(), System.nanoTime() - start);
    }

    /** L2 norm over every parameter's gradient. */
    private double globalGradientNorm(NDManager m) {
        NDList squares = new NDList(parameters.size());
        for (Parameter p : parameters.values()) {
            NDArray g = p.getArray().getGradient();
            g.attach(m); // the handle and everything computed from it close with the step
            squares.add(g.square().sum());
        }
        return Math.sqrt(NDArrays.stack(squares).sum().getFloat());
    }

    /** Mean loss over batches, weighted by their tokens; no gradients, no update. */
    public double evaluate(List<TokenBatch> batches) {
        double total = 0;
        long tokens = 0;
        for (TokenBatch b : batches) {
            try (NDManager m = model.manager().newSubManager()) {
                total +=
                        model.loss(new ParameterStore(m, false), m, b, false).getFloat()
                                * b.tokens();
                tokens += b.tokens();
            }
        }
        return tokens == 0 ? Double.NaN : total / tokens;
    }

    /**
     * The whole training state as safetensors bytes: weights ({@code model.<name>}), optimizer
     * moments, and counters in the metadata.
     */
    public byte[] snapshot() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Weights.toTensors(parameters).forEach((k, v) -> tensors.put("model." + k, v));
        tensors.putAll(optimizer.state());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("kind", model.kind());
        meta.put("steps", Long.toString(optimizer.steps()));
        meta.put("tokensTrained", Long.toString(tokensTrained));
        return Safetensors.toBytes(tensors, meta);
    }

    /**
     * Restores a {@link #snapshot()}: the next step continues the snapshotted run exactly.
     *
     * @throws IOException when the bytes are not a snapshot of this kind of model
     */
    public void restore(byte[] snapshot) throws IOException {
        Safetensors.Contents contents = Safetensors.fromBytes(snapshot);
        String kind = contents.metadata().get("kind");
        if (!model.kind().equals(kind)) {
            throw new IOException("snapshot is of a " + kind + " model, not " + model.kind());
        }
        Map<String, Tensor> weights = new LinkedHashMap<>();
        contents.tensors()
                .forEach(
                        (k, v) -> {
                            if (k.startsWith("model.")) {
                                weights.put(k.substring("model.".length()), v);
                            }
                        });
        try {
            model.freeze(true); // arrays that require gradients cannot be overwritten
            Weights.assign(parameters, weights);
            optimizer.restore(contents.tensors(), Long.parseLong(contents.metadata().get("steps")));
        } catch (IllegalArgumentException e) {
            throw new IOException("training snapshot does not fit the model: " + e.getMessage(), e);
        } finally {
            model.freeze(false);
        }
        tokensTrained = Long.parseLong(contents.metadata().get("tokensTrained"));
    }

    /** Freezes the model again and frees the optimizer state (the model stays open). */
    @Override
    public void close() {
        optimizer.close();
        model.freeze(true);
    }
}
