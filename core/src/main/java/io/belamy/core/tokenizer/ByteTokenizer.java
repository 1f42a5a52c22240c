package io.belamy.core.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tokens are the UTF-8 bytes of the text (ids 0-255), plus {@code <|endoftext|>} (id 256).
 *
 * <p>It is saved as a Hugging Face byte-level BPE {@code tokenizer.json} with no merges, which
 * encodes every text to the same ids, so models trained with it load in {@code transformers}.
 */
public final class ByteTokenizer implements TextTokenizer {

    /** Id of {@code <|endoftext|>}. */
    public static final int END_OF_TEXT = 256;

    public static final String END_OF_TEXT_TOKEN = "<|endoftext|>";

    private static final ObjectMapper JSON = new ObjectMapper();

    ByteTokenizer() {}

    @Override
    public int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xff;
        }
        return ids;
    }

    @Override
    public String decode(int[] ids) {
        byte[] bytes = new byte[ids.length];
        int n = 0;
        for (int id : ids) {
            if (id < 0 || id > END_OF_TEXT) {
                throw new IllegalArgumentException(
                        "token id " + id + " is outside the byte vocabulary [0, 257)");
            }
            if (id != END_OF_TEXT) {
                bytes[n++] = (byte) id;
            }
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return END_OF_TEXT + 1;
    }

    @Override
    public int tokenId(String token) {
        if (token.equals(END_OF_TEXT_TOKEN)) {
            return END_OF_TEXT;
        }
        byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
        return bytes.length == 1 ? bytes[0] & 0xff : -1;
    }

    @Override
    public void save(Path dir) throws IOException {
        Files.writeString(dir.resolve(TOKENIZER_FILE), toJson());
        ObjectNode config = JSON.createObjectNode();
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        config.put("bos_token", END_OF_TEXT_TOKEN);
        config.put("eos_token", END_OF_TEXT_TOKEN);
        config.put("unk_token", END_OF_TEXT_TOKEN);
        config.put("model_max_length", 1_000_000_000);
        Files.writeString(
                dir.resolve(HfTokenizer.CONFIG_FILE),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
    }

    /**
     * The Hugging Face form: byte-level pre-tokenizer and decoder, a BPE model whose vocabulary
     * maps GPT-2's printable stand-in for each byte to the byte's value, and no merges.
     */
    static String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        ObjectNode eot = added.addObject();
        eot.put("id", END_OF_TEXT);
        eot.put("content", END_OF_TEXT_TOKEN);
        eot.put("single_word", false);
        eot.put("lstrip", false);
        eot.put("rstrip", false);
        eot.put("normalized", false);
        eot.put("special", true);
        root.putNull("normalizer");
        byteLevel(root.putObject("pre_tokenizer"), false, true);
        byteLevel(root.putObject("post_processor"), true, false);
        byteLevel(root.putObject("decoder"), true, true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
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
        vocab.put(END_OF_TEXT_TOKEN, END_OF_TEXT);
        model.putArray("merges");
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void byteLevel(ObjectNode node, boolean addPrefixSpace, boolean trimOffsets) {
        node.put("type", "ByteLevel");
        node.put("add_prefix_space", addPrefixSpace);
        node.put("trim_offsets", trimOffsets);
        node.put("use_regex", true);
    }

    @Override
    public void close() {}

    @Override
    public String toString() {
        return "ByteTokenizer";
    }
}
