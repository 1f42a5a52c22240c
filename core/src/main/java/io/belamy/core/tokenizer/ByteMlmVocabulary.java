package io.belamy.core.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The vocabulary of BERT presets trained from scratch: the 256 bytes (ids 0-255) plus BERT's
 * special tokens, as a Hugging Face {@code tokenizer.json} (byte-level BPE without merges, {@code
 * [CLS] ... [SEP]} added around every text).
 */
public final class ByteMlmVocabulary {

    public static final int PAD = 256;
    public static final int UNK = 257;
    public static final int CLS = 258;
    public static final int SEP = 259;
    public static final int MASK = 260;

    /** Number of ids. */
    public static final int SIZE = 261;

    private static final Map<Integer, String> SPECIAL =
            Map.of(PAD, "[PAD]", UNK, "[UNK]", CLS, "[CLS]", SEP, "[SEP]", MASK, "[MASK]");

    private static final ObjectMapper JSON = new ObjectMapper();

    private ByteMlmVocabulary() {}

    /** The tokenizer (native, through DJL's Hugging Face tokenizers). */
    public static TextTokenizer tokenizer() {
        try {
            return HfTokenizer.fromJson(
                    json(),
                    Map.of(HfTokenizer.CONFIG_FILE, config()),
                    "byte-level BERT vocabulary");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = PAD; id <= MASK; id++) {
            ObjectNode t = added.addObject();
            t.put("id", id);
            t.put("content", SPECIAL.get(id));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", false);
        pre.put("trim_offsets", true);
        pre.put("use_regex", true);
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        special(single, "[CLS]", 0);
        sequence(single, "A", 0);
        special(single, "[SEP]", 0);
        ArrayNode pair = post.putArray("pair");
        special(pair, "[CLS]", 0);
        sequence(pair, "A", 0);
        special(pair, "[SEP]", 0);
        sequence(pair, "B", 1);
        special(pair, "[SEP]", 1);
        ObjectNode tokens = post.putObject("special_tokens");
        for (int id : new int[] {CLS, SEP}) {
            ObjectNode t = tokens.putObject(SPECIAL.get(id));
            t.put("id", SPECIAL.get(id));
            t.putArray("ids").add(id);
            t.putArray("tokens").add(SPECIAL.get(id));
        }
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "ByteLevel");
        decoder.put("add_prefix_space", true);
        decoder.put("trim_offsets", true);
        decoder.put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.put("unk_token", "[UNK]");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        char[] stand = ByteLevelAlphabet.byteToChar();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(stand[b]), b);
        }
        for (int id = PAD; id <= MASK; id++) {
            vocab.put(SPECIAL.get(id), id);
        }
        model.putArray("merges");
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] config() {
        ObjectNode c = JSON.createObjectNode();
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        c.put("cls_token", "[CLS]");
        c.put("sep_token", "[SEP]");
        c.put("pad_token", "[PAD]");
        c.put("unk_token", "[UNK]");
        c.put("mask_token", "[MASK]");
        c.put("model_max_length", 1_000_000_000);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(c);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void special(ArrayNode template, String token, int typeId) {
        ObjectNode s = template.addObject().putObject("SpecialToken");
        s.put("id", token);
        s.put("type_id", typeId);
    }

    private static void sequence(ArrayNode template, String which, int typeId) {
        ObjectNode s = template.addObject().putObject("Sequence");
        s.put("id", which);
        s.put("type_id", typeId);
    }
}
