package io.belamy.generate;

import io.belamy.core.bert.BertCheckpoint;
import io.belamy.core.bert.BertModel;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.music.gan.GanConfig;
import io.belamy.core.music.gan.MuseGan;
import io.belamy.core.store.ModelCard;
import io.belamy.core.store.ModelStore;
import io.belamy.core.topic.PromptRecord;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The model a generation job serves: where it is and how prompts name it. Its name and version come
 * from {@code belamy.json} when the directory has one; otherwise the name is the directory's name
 * (or one given) and the version is 0.
 *
 * @param dir the model directory: a path on every TaskManager, or a file system URI (each
 *     TaskManager copies it into a local cache)
 * @param kind {@code gpt} (answers text prompts), {@code bert} (fill-mask) or {@code musegan}
 *     (music)
 */
public record ServedModel(String dir, String name, long version, String kind)
        implements Serializable {

    /** The prompt task a model of this kind answers. */
    public String task() {
        return switch (kind) {
            case MuseGan.KIND -> PromptRecord.MUSIC;
            case BertModel.KIND -> PromptRecord.FILL_MASK;
            default -> PromptRecord.TEXT;
        };
    }

    public ServedModel {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("model name must not be empty");
        }
    }

    /**
     * Describes a model directory.
     *
     * @param name overrides the name; null keeps the card's or directory's name
     * @throws IOException naming the directory when it does not exist
     */
    public static ServedModel of(Path dir, String name) throws IOException {
        return of(dir.toAbsolutePath().normalize().toString(), name);
    }

    /**
     * Describes a model directory given as a path or a file system URI (copied locally to read it).
     *
     * @param name overrides the name; null keeps the card's or directory's name
     * @throws IOException naming the directory when it does not exist
     */
    public static ServedModel of(String location, String name) throws IOException {
        Path dir = ModelStore.localCopy(location);
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(location, null, "model directory not found");
        }
        var card = ModelCard.read(dir);
        String fallback = location.replaceAll("/+$", "").replaceAll(".*/", "");
        return new ServedModel(
                ModelStore.isRemote(location)
                        ? location
                        : dir.toAbsolutePath().normalize().toString(),
                name != null ? name : card.map(ModelCard::name).orElse(fallback),
                card.map(ModelCard::version).orElse(0L),
                kindOf(dir));
    }

    /**
     * The kind of model a directory holds, by its config.json's {@code model_type}: a belamy music
     * GAN, a BERT, else a GPT-2 (whose loader names what is wrong with anything else).
     */
    static String kindOf(Path dir) throws IOException {
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            return GptModel.KIND;
        }
        String type =
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(config.toFile())
                        .path("model_type")
                        .asText();
        if (type.equals(GanConfig.MODEL_TYPE)) {
            return MuseGan.KIND;
        }
        if (type.equals(BertCheckpoint.MODEL_TYPE)) {
            return BertModel.KIND;
        }
        return GptModel.KIND;
    }
}
