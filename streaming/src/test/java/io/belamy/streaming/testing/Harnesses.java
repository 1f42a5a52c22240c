package io.belamy.streaming.testing;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;

/**
 * The one place that touches Flink's internal operator test harnesses: run a function on a few
 * elements and collect its main and side outputs.
 */
public final class Harnesses {

    private Harnesses() {}

    /** A running harness around a {@link ProcessFunction}; close it to close the function. */
    public static final class Process<I, O> implements AutoCloseable {
        private final OneInputStreamOperatorTestHarness<I, O> harness;

        private Process(OneInputStreamOperatorTestHarness<I, O> harness) {
            this.harness = harness;
        }

        /** Processes one element with the given event timestamp. */
        public Process<I, O> push(I element, long timestamp) throws Exception {
            harness.processElement(element, timestamp);
            return this;
        }

        /** Main output values so far. */
        public List<O> output() {
            return harness.extractOutputValues();
        }

        /** Side output values so far (empty when none was emitted). */
        public <T> List<T> sideOutput(OutputTag<T> tag) {
            List<T> out = new ArrayList<>();
            var records = harness.getSideOutput(tag);
            if (records != null) {
                for (StreamRecord<T> r : records) {
                    out.add(r.getValue());
                }
            }
            return out;
        }

        @Override
        public void close() throws Exception {
            harness.close();
        }
    }

    /** Opens {@code function} in a harness. */
    public static <I, O> Process<I, O> of(ProcessFunction<I, O> function) throws Exception {
        return new Process<>(ProcessFunctionTestHarnesses.forProcessFunction(function));
    }
}
