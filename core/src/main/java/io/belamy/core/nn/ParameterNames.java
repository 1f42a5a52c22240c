package io.belamy.core.nn;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Dotted PyTorch-style names of a block tree's parameters, e.g. {@code
 * transformer.h.0.attn.c_attn.weight}.
 *
 * <p>DJL prefixes each child's name with its position ({@code 01}, {@code 02}, ...); the prefix is
 * dropped and the path joined with dots, so block names chosen to match a Hugging Face module tree
 * give Hugging Face parameter names. Child names must not start with a digit.
 */
public final class ParameterNames {

    private static final Pattern POSITION_PREFIX = Pattern.compile("^\\d+");

    private ParameterNames() {}

    /** Every parameter of {@code root} by dotted name, in block order. */
    public static Map<String, Parameter> of(Block root) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", root, out);
        return Collections.unmodifiableMap(out);
    }

    private static void collect(String prefix, Block block, Map<String, Parameter> out) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            out.put(prefix + p.getKey(), p.getValue());
        }
        for (Pair<String, Block> child : block.getChildren()) {
            String name = POSITION_PREFIX.matcher(child.getKey()).replaceFirst("");
            collect(prefix + name + ".", child.getValue(), out);
        }
    }
}
