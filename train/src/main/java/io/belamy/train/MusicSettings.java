package io.belamy.train;

import io.belamy.core.music.gan.GanConfig;
import io.belamy.core.music.gan.GanTrainer;
import io.belamy.core.music.gan.MuseGan;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the train-music job trains and how (serializable: it travels with the job graph).
 *
 * @param preset GAN preset for a fresh model ({@code default}, {@code small}), or null
 * @param from a music GAN directory to continue training, or null
 * @param stepsPerPhrase training steps each arriving phrase earns (batches are drawn from the
 *     buffer of recent phrases)
 * @param bufferSize most recent phrases kept to draw batches from
 * @param evalSamples rolls generated to evaluate each version
 */
public record MusicSettings(
        String name,
        String preset,
        String from,
        String store,
        int batchSize,
        int criticSteps,
        double penalty,
        double learningRate,
        long seed,
        double stepsPerPhrase,
        int bufferSize,
        int stepsPerVersion,
        Duration versionInterval,
        int evalSamples,
        long inlineStateLimit)
        implements Serializable {

    public MusicSettings {
        if ((preset == null) == (from == null)) {
            throw new IllegalArgumentException("give exactly one of model.preset and model.from");
        }
        if (preset != null) {
            GanConfig.preset(preset); // names the presets when unknown
        }
        // validates the training values (the fields are not assigned yet: use the parameters)
        new GanTrainer.Settings(
                batchSize, criticSteps, (float) penalty, (float) learningRate, 0.5f, 0.9f, seed);
    }

    public GanTrainer.Settings trainer() {
        return new GanTrainer.Settings(
                batchSize, criticSteps, (float) penalty, (float) learningRate, 0.5f, 0.9f, seed);
    }

    /** The model to start from. */
    public MuseGan open() throws IOException {
        return from != null
                ? MuseGan.load(Path.of(from))
                : MuseGan.create(GanConfig.preset(preset), seed);
    }

    /** The roll shape the model trains on (read from the directory for {@code from}). */
    public io.belamy.core.music.RollSpec roll() throws IOException {
        return from != null
                ? GanConfig.read(Path.of(from).resolve("config.json")).roll()
                : GanConfig.preset(preset).roll();
    }
}
