package io.belamy.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format:
 * an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
 * range, then the raw little-endian data.
 *
 * <pre>{@code
 * Map<String, Tensor> weights = Safetensors.read(dir.resolve("model.safetensors"));
 * weights.get("transformer.wte.weight").shape(); // [1024, 64]
 * }</pre>
 */
public final class Safetensors {

    /** Name of a sharded checkpoint's index file, as Hugging Face writes it. */
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private Safetensors() {}

    /** Tensors and the string metadata of a safetensors file ({@code __metadata__}). */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /**
     * Reads every tensor of one safetensors file, in header order. The file is memory-mapped; the
     * returned tensors view the mapping.
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new IOException(
                        file + ": not a safetensors file (" + size + " bytes, need at least 8)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(lengthBytes, 0);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > size) {
                throw new IOException(
                        file
                                + ": header length "
                                + headerLength
                                + " does not fit a file of "
                                + size
                                + " bytes (truncated or not safetensors)");
            }
            long dataLength = size - 8 - headerLength;
            if (dataLength > Integer.MAX_VALUE) {
                throw new IOException(
                        file
                                + ": "
                                + dataLength
                                + " bytes of tensor data; belamy reads files under 2 GiB, shard"
                                + " larger checkpoints (model-0000N-of-0000M.safetensors + "
                                + INDEX_FILE
                                + ")");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            channel.read(headerBytes, 8);
            JsonNode header;
            try {
                header =
                        JSON.readTree(
                                new String(headerBytes.array(), StandardCharsets.UTF_8).trim());
            } catch (IOException e) {
                throw new IOException(file + ": header is not valid JSON: " + e.getMessage(), e);
            }
            if (header == null || !header.isObject()) {
                throw new IOException(file + ": header is not a JSON object");
            }
            ByteBuffer data =
                    channel.map(FileChannel.MapMode.READ_ONLY, 8 + headerLength, dataLength)
                            .order(ByteOrder.LITTLE_ENDIAN);
            return parseTensors(file, header, data);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "safetensors file not found");
        }
    }

    private static Map<String, Tensor> parseTensors(Path file, JsonNode header, ByteBuffer data)
            throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String name = entry.getKey();
            if (name.equals("__metadata__")) {
                continue;
            }
            JsonNode info = entry.getValue();
            try {
                DType dtype = DType.parse(requireField(info, "dtype").asText());
                JsonNode shapeNode = requireField(info, "shape");
                long[] shape = new long[shapeNode.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeNode.get(i).asLong();
                }
                JsonNode offsets = requireField(info, "data_offsets");
                long begin = offsets.get(0).asLong();
                long end = offsets.get(1).asLong();
                if (begin < 0 || end < begin || end > data.capacity()) {
                    throw new IOException(
                            "data_offsets ["
                                    + begin
                                    + ", "
                                    + end
                                    + "] outside the "
                                    + data.capacity()
                                    + " data bytes (truncated file?)");
                }
                ByteBuffer slice = data.slice((int) begin, (int) (end - begin));
                tensors.put(name, new Tensor(dtype, shape, slice));
            } catch (IOException | IllegalArgumentException e) {
                throw new IOException(file + ": tensor \"" + name + "\": " + e.getMessage(), e);
            }
        }
        return tensors;
    }

    private static JsonNode requireField(JsonNode info, String field) throws IOException {
        JsonNode node = info.get(field);
        if (node == null) {
            throw new IOException("missing \"" + field + "\"");
        }
        return node;
    }

    /**
     * Reads a model directory's weights: {@code model.safetensors}, or every shard listed by {@code
     * model.safetensors.index.json}.
     *
     * @throws IOException naming the directory when neither exists
     */
    public static Map<String, Tensor> readModel(Path dir) throws IOException {
        Path single = dir.resolve("model.safetensors");
        if (Files.isRegularFile(single)) {
            return read(single);
        }
        Path index = dir.resolve(INDEX_FILE);
        if (!Files.isRegularFile(index)) {
            throw new NoSuchFileException(
                    single.toString(),
                    null,
                    "model directory has neither model.safetensors nor " + INDEX_FILE);
        }
        JsonNode weightMap = JSON.readTree(index.toFile()).get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new IOException(index + ": missing \"weight_map\" object");
        }
        Map<String, Map<String, Tensor>> shards = new LinkedHashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String shard = entry.getValue().asText();
            Map<String, Tensor> shardTensors = shards.get(shard);
            if (shardTensors == null) {
                shardTensors = read(dir.resolve(shard));
                shards.put(shard, shardTensors);
            }
            Tensor tensor = shardTensors.get(entry.getKey());
            if (tensor == null) {
                throw new IOException(
                        index
                                + " maps \""
                                + entry.getKey()
                                + "\" to "
                                + shard
                                + ", which lacks it");
            }
            tensors.put(entry.getKey(), tensor);
        }
        return tensors;
    }

    /**
     * Writes tensors to one safetensors file, in map order, atomically (a temporary file renamed
     * into place), with {@code {"format": "pt"}} metadata as PyTorch writers do.
     */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        byte[] headerBytes = header(tensors, Map.of("format", "pt"));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp);
                var channel = java.nio.channels.Channels.newChannel(out)) {
            writeTo(channel, headerBytes, tensors);
        }
        Files.move(
                tmp,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The safetensors encoding of tensors and string metadata, in memory. */
    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        byte[] headerBytes = header(tensors, metadata);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        writeTo(java.nio.channels.Channels.newChannel(out), headerBytes, tensors);
        return out.toByteArray();
    }

    /**
     * Reads {@link #toBytes} output (or any safetensors file's bytes).
     *
     * @throws IOException when the bytes are not safetensors
     */
    public static Contents fromBytes(byte[] bytes) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 8) {
            throw new IOException("not safetensors (" + bytes.length + " bytes)");
        }
        long headerLength = all.getLong(0);
        if (headerLength <= 0 || 8 + headerLength > bytes.length) {
            throw new IOException(
                    "safetensors header length "
                            + headerLength
                            + " does not fit "
                            + bytes.length
                            + " bytes");
        }
        JsonNode header =
                JSON.readTree(
                        new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8).trim());
        ByteBuffer data =
                all.slice(8 + (int) headerLength, bytes.length - 8 - (int) headerLength)
                        .order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Tensor> tensors = parseTensors(Path.of("<bytes>"), header, data);
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode meta = header.get("__metadata__");
        if (meta != null) {
            meta.fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
        }
        return new Contents(tensors, metadata);
    }

    private static void writeTo(
            java.nio.channels.WritableByteChannel channel,
            byte[] headerBytes,
            Map<String, Tensor> tensors)
            throws IOException {
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        length.putLong(0, headerBytes.length);
        channel.write(length);
        channel.write(ByteBuffer.wrap(headerBytes));
        for (Tensor t : tensors.values()) {
            ByteBuffer bytes = t.data().duplicate();
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes. */
    private static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        metadata.forEach(meta::put);
        long offset = 0;
        for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
            Tensor t = entry.getValue();
            ObjectNode info = header.putObject(entry.getKey());
            info.put("dtype", t.dtype().name());
            var shape = info.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long length = t.data().remaining();
            info.putArray("data_offsets").add(offset).add(offset + length);
            offset += length;
        }
        byte[] headerJson = JSON.writeValueAsBytes(header);
        int padded = (headerJson.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        java.util.Arrays.fill(headerBytes, (byte) ' ');
        System.arraycopy(headerJson, 0, headerBytes, 0, headerJson.length);
        return headerBytes;
    }
}
