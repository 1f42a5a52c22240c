package io.belamy.train;

import io.belamy.core.bert.BertConfig;
import io.belamy.core.bert.BertModel;
import io.belamy.core.gpt.GptConfig;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.tokenizer.ByteMlmVocabulary;
import io.belamy.core.tokenizer.HfTokenizer;
import io.belamy.core.tokenizer.TextTokenizer;
import io.belamy.core.tokenizer.Tokenizers;
import io.belamy.core.train.LanguageModel;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Where a training run's model comes from: a preset trained from scratch (byte-level vocabulary
 * unless a tokenizer.json is given), or a Hugging Face directory to fine-tune.
 *
 * @param kind {@code gpt} or {@code bert}
 * @param preset {@code tiny} or {@code small} (null when {@code from} is set)
 * @param from a Hugging Face directory (null for a preset)
 * @param tokenizerFile a tokenizer.json for a preset (null: the byte-level vocabulary)
 */
public record ModelSource(String kind, String preset, String from, String tokenizerFile)
        implements Serializable {

    public ModelSource {
        if (!GptModel.KIND.equals(kind) && !BertModel.KIND.equals(kind)) {
            throw new IllegalArgumentException(
                    "model kind \"" + kind + "\" is not one of: gpt, bert");
        }
        if ((preset == null) == (from == null)) {
            throw new IllegalArgumentException(
                    "give either a preset or a directory to start from, not "
                            + (preset == null ? "neither" : "both"));
        }
        if (from != null && tokenizerFile != null) {
            throw new IllegalArgumentException(
                    "a tokenizer file goes with a preset; a directory brings its own tokenizer.json");
        }
        if (preset != null) {
            if (kind.equals(GptModel.KIND)) {
                GptConfig.preset(preset);
            } else {
                BertConfig.preset(preset);
            }
        }
    }

    /** The tokenizer the model trains with. */
    public TextTokenizer tokenizer() throws IOException {
        if (from != null) {
            return Tokenizers.load(Path.of(from));
        }
        if (tokenizerFile != null) {
            return HfTokenizer.load(Path.of(tokenizerFile));
        }
        return kind.equals(GptModel.KIND) ? Tokenizers.bytes() : ByteMlmVocabulary.tokenizer();
    }

    /** Loads the directory, or creates the preset with fresh weights from {@code seed}. */
    public LanguageModel open(long seed) throws IOException {
        if (from != null) {
            return kind.equals(GptModel.KIND)
                    ? GptModel.load(Path.of(from))
                    : BertModel.load(Path.of(from));
        }
        TextTokenizer tok = tokenizer();
        if (kind.equals(GptModel.KIND)) {
            GptConfig c = GptConfig.preset(preset);
            if (tokenizerFile != null) {
                int eos = tok.tokenId("<|endoftext|>");
                c = c.withVocabulary(tok.vocabSize(), eos, eos);
            }
            return GptModel.create(c, tok, seed);
        }
        BertConfig c = BertConfig.preset(preset);
        if (tokenizerFile != null) {
            c = c.withVocabulary(tok.vocabSize(), Math.max(0, tok.tokenId("[PAD]")));
        }
        return BertModel.create(c, tok, seed);
    }

    /** Whether the run fine-tunes a checkpoint. */
    public boolean fineTuning() {
        return from != null;
    }

    /** Ids of BERT's special tokens ([CLS], [SEP], [PAD], [UNK], [MASK]) in a tokenizer. */
    static Set<Integer> specialIds(TextTokenizer tok) {
        Set<Integer> ids = new HashSet<>();
        for (String t : new String[] {"[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"}) {
            int id = tok.tokenId(t);
            if (id >= 0) {
                ids.add(id);
            }
        }
        return ids;
    }
}
