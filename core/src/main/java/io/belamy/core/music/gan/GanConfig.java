package io.belamy.core.music.gan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.belamy.core.music.RollSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Architecture of the MuseGAN-style music GAN ({@link MuseGan}), stored as {@code config.json} of a
 * model directory ({@code "model_type": "belamy-musegan"}).
 *
 * @param roll the piano rolls it makes and judges (bars x steps per bar x pitches x tracks)
 * @param latentSize size of each of the four latent vectors (shared/private x whole/per bar)
 * @param generatorHidden hidden units of each track's bar generator
 * @param criticHidden units per track and bar in the critic's first layer
 * @param criticJoint units of the critic's joint layer
 */
public record GanConfig(
        RollSpec roll, int latentSize, int generatorHidden, int criticHidden, int criticJoint) {

    public static final String MODEL_TYPE = "belamy-musegan";
    private static final ObjectMapper JSON = new ObjectMapper();

    public GanConfig {
        positive("latent size", latentSize);
        positive("generator hidden size", generatorHidden);
        positive("critic hidden size", criticHidden);
        positive("critic joint size", criticJoint);
    }

    private static void positive(String what, int value) {
        if (value < 1 || value > 8192) {
            throw new IllegalArgumentException(what + " must be 1 to 8192, got " + value);
        }
    }

    /** The default rolls (4 x 16 x 84 x 5), latents of 32, about 3.6M parameters. */
    public static GanConfig defaults() {
        return new GanConfig(RollSpec.defaults(), 32, 256, 128, 256);
    }

    /** A small model for tests: about 0.9M parameters. */
    public static GanConfig small() {
        return new GanConfig(RollSpec.defaults(), 16, 64, 32, 64);
    }

    /**
     * A preset by name.
     *
     * @throws IllegalArgumentException naming the value and the presets that exist
     */
    public static GanConfig preset(String name) {
        return switch (name) {
            case "default" -> defaults();
            case "small" -> small();
            default ->
                    throw new IllegalArgumentException(
                            "unknown music GAN preset \"" + name + "\" (presets: default, small)");
        };
    }

    public int tracks() {
        return roll.tracks().size();
    }

    /** Cells of one bar of one track: steps per bar x pitches. */
    public int barCells() {
        return roll.stepsPerBar() * roll.pitches();
    }

    public void write(Path file) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("model_type", MODEL_TYPE);
        n.put("bars", roll.bars());
        n.put("steps_per_bar", roll.stepsPerBar());
        n.put("lowest_pitch", roll.lowestPitch());
        n.put("pitches", roll.pitches());
        n.putPOJO("tracks", roll.tracks());
        n.put("latent_size", latentSize);
        n.put("generator_hidden", generatorHidden);
        n.put("critic_hidden", criticHidden);
        n.put("critic_joint", criticJoint);
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n));
    }

    /**
     * Reads {@code config.json}.
     *
     * @throws IOException naming the file and the problem
     */
    public static GanConfig read(Path file) throws IOException {
        try {
            var n = JSON.readTree(file.toFile());
            if (!MODEL_TYPE.equals(n.path("model_type").asText())) {
                throw new IOException(
                        file
                                + " is not a belamy music GAN (model_type \""
                                + n.path("model_type").asText()
                                + "\", expected \""
                                + MODEL_TYPE
                                + "\")");
            }
            List<String> tracks = new ArrayList<>();
            n.path("tracks").forEach(t -> tracks.add(t.asText()));
            return new GanConfig(
                    new RollSpec(
                            n.path("bars").asInt(),
                            n.path("steps_per_bar").asInt(),
                            n.path("lowest_pitch").asInt(),
                            n.path("pitches").asInt(),
                            tracks),
                    n.path("latent_size").asInt(),
                    n.path("generator_hidden").asInt(),
                    n.path("critic_hidden").asInt(),
                    n.path("critic_joint").asInt());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
