package io.belamy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.belamy.core.gpt.GptCheckpoint;
import io.belamy.core.gpt.GptConfig;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.io.Safetensors;
import io.belamy.core.io.Tensor;
import io.belamy.core.train.TokenBatch;
import io.belamy.core.train.TrainingConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the PyTorch reference ({@code gpt_reference.py}, Debian's {@code python3-torch}) on the same
 * GPT weights, batches and training settings as belamy, for parity tests and benchmarks.
 */
public final class TorchReference {

    /** Debian's interpreter, where {@code python3-torch} installs. */
    public static final String PYTHON = "/usr/bin/python3";

    private static final ObjectMapper JSON = new ObjectMapper();

    private TorchReference() {}

    /**
     * Writes {@code model.safetensors} (the model's current weights), {@code batches.safetensors}
     * and {@code training.json} into {@code dir}.
     */
    public static void prepare(
            Path dir,
            GptModel model,
            TrainingConfig training,
            List<TokenBatch> batches,
            int threads)
            throws IOException {
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve("model.safetensors"), GptCheckpoint.toTensors(model.gpt()));
        int n = batches.size();
        int b = batches.get(0).batchSize();
        int t = batches.get(0).length();
        long[] inputs = new long[n * b * t];
        long[] targets = new long[n * b * t];
        for (int i = 0; i < n; i++) {
            System.arraycopy(batches.get(i).inputs(), 0, inputs, i * b * t, b * t);
            System.arraycopy(batches.get(i).targets(), 0, targets, i * b * t, b * t);
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("inputs", Tensor.ofLongs(new long[] {n, b, t}, inputs));
        tensors.put("targets", Tensor.ofLongs(new long[] {n, b, t}, targets));
        Safetensors.write(dir.resolve("batches.safetensors"), tensors);

        GptConfig c = model.config();
        ObjectNode root = JSON.createObjectNode();
        root.put("threads", threads);
        putModel(root, c);
        root.set("training", JSON.valueToTree(training));
        Files.writeString(dir.resolve("training.json"), JSON.writeValueAsString(root));
    }

    /** The model's shape, as gpt_reference.py builds the same GPT from it. */
    private static void putModel(ObjectNode root, GptConfig c) {
        ObjectNode m = root.putObject("model");
        m.put("vocabSize", c.vocabSize());
        m.put("contextLength", c.contextLength());
        m.put("embeddingSize", c.embeddingSize());
        m.put("layers", c.layers());
        m.put("heads", c.heads());
        m.put("innerSize", c.innerSize());
        m.put("layerNormEpsilon", c.layerNormEpsilon());
    }

    /**
     * Writes {@code model.safetensors} and {@code decode.json} (model shape, prompt, tokens per
     * generation, threads, copies of the prompt decoded together) into {@code dir}, for {@code
     * decode-paired}.
     */
    public static void prepareDecode(
            Path dir, GptModel model, int[] prompt, int newTokens, int threads, int batch)
            throws IOException {
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve("model.safetensors"), GptCheckpoint.toTensors(model.gpt()));
        GptConfig c = model.config();
        ObjectNode root = JSON.createObjectNode();
        root.put("threads", threads);
        root.put("newTokens", newTokens);
        root.put("batch", batch);
        var ids = root.putArray("prompt");
        for (int id : prompt) {
            ids.add(id);
        }
        putModel(root, c);
        Files.writeString(dir.resolve("decode.json"), JSON.writeValueAsString(root));
    }

    /**
     * Runs the reference script.
     *
     * @param command {@code train} or {@code bench}
     * @return its JSON output
     * @throws IOException when python3 or torch is missing, or the script fails
     */
    public static JsonNode run(String command, Path dir, Duration timeout)
            throws IOException, InterruptedException {
        Process p = start(command, dir);
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("PyTorch reference did not finish within " + timeout);
        }
        if (p.exitValue() != 0) {
            throw new IOException(
                    "PyTorch reference failed ("
                            + p.exitValue()
                            + "): "
                            + Files.readString(dir.resolve("reference.err")));
        }
        return JSON.readTree(new String(out, StandardCharsets.UTF_8));
    }

    private static Process start(String command, Path dir) throws IOException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            throw new IOException(
                    PYTHON
                            + " not found: install Debian's python3-torch (apt-get install"
                            + " python3-torch libopenblas0-openmp)");
        }
        Path script = dir.resolve("gpt_reference.py");
        try (InputStream in = TorchReference.class.getResourceAsStream("gpt_reference.py")) {
            Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return new ProcessBuilder(PYTHON, script.toString(), command, dir.toString())
                .redirectError(dir.resolve("reference.err").toFile())
                .start();
    }

    /**
     * The reference script kept running for requests one at a time ({@code decode-paired}), so that
     * a benchmark can alternate single generations of both sides: a burst of load from elsewhere on
     * the machine then falls on both.
     */
    public static final class Session implements AutoCloseable {
        private final Process process;
        private final Path dir;
        private final java.io.BufferedReader out;
        private final java.io.Writer in;
        private final JsonNode first;

        /** Starts {@code command} in {@code dir} and reads its first line (after its warm-up). */
        public Session(String command, Path dir) throws IOException {
            this.dir = dir;
            this.process = start(command, dir);
            this.out =
                    new java.io.BufferedReader(
                            new java.io.InputStreamReader(
                                    process.getInputStream(), StandardCharsets.UTF_8));
            this.in =
                    new java.io.OutputStreamWriter(
                            process.getOutputStream(), StandardCharsets.UTF_8);
            this.first = readLine();
        }

        /** The first line the script printed. */
        public JsonNode first() {
            return first;
        }

        /** Sends one request line and returns the answer. */
        public JsonNode request(String line) throws IOException {
            in.write(line + "\n");
            in.flush();
            return readLine();
        }

        private JsonNode readLine() throws IOException {
            String line = out.readLine();
            if (line == null) {
                throw new IOException(
                        "PyTorch reference ended early: "
                                + Files.readString(dir.resolve("reference.err")));
            }
            return JSON.readTree(line);
        }

        @Override
        public void close() throws IOException {
            try {
                in.write("quit\n");
                in.close();
            } catch (IOException e) {
                // already gone
            }
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
