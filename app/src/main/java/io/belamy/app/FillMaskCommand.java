package io.belamy.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.belamy.core.bert.BertModel;
import io.belamy.core.bert.FillMask;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "fill-mask",
        mixinStandardHelpOptions = true,
        description = {
            "Fill the [MASK]s of a text with a BERT model directory, locally.",
            "Prints the filled text (masks filled left to right) and, for each mask, the top-k"
                    + " candidates of one pass over the text as given."
        })
final class FillMaskCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "Hugging Face BERT directory (BertForMaskedLM).")
    Path model;

    @Parameters(
            index = "0",
            paramLabel = "TEXT",
            description = "Text with one or more [MASK] tokens.")
    String text;

    @Option(
            names = "--top-k",
            paramLabel = "K",
            description = "Candidates per mask (default: ${DEFAULT-VALUE}).")
    int topK = 5;

    @Option(
            names = "--json",
            description = "Print one JSON object: text and masks with their candidates.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (BertModel bert = BertModel.load(model)) {
            FillMask.Result r = new FillMask(bert).fill(text, topK);
            if (json) {
                ObjectNode o = JSON.createObjectNode();
                o.put("text", r.text());
                ArrayNode masks = o.putArray("masks");
                for (FillMask.Mask m : r.masks()) {
                    ObjectNode mask = masks.addObject();
                    mask.put("position", m.position());
                    mask.put("filled", m.filled().token());
                    ArrayNode c = mask.putArray("candidates");
                    for (FillMask.Candidate cand : m.candidates()) {
                        c.addObject()
                                .put("token", cand.token())
                                .put("id", cand.tokenId())
                                .put("score", cand.score());
                    }
                }
                out.println(JSON.writeValueAsString(o));
            } else {
                out.println(r.text());
                for (int i = 0; i < r.masks().size(); i++) {
                    FillMask.Mask m = r.masks().get(i);
                    StringBuilder line =
                            new StringBuilder(
                                    String.format(
                                            Locale.ROOT,
                                            "  mask %d (token %d):",
                                            i + 1,
                                            m.position()));
                    for (FillMask.Candidate c : m.candidates()) {
                        line.append(String.format(Locale.ROOT, "  %s %.3f", c.token(), c.score()));
                    }
                    out.println(line);
                }
            }
        }
        return 0;
    }
}
