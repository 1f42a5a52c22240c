package io.belamy.streaming.testing;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
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

    /** A running harness around a {@link KeyedProcessFunction}, with processing time to set. */
    public static final class Keyed<K, I, O> implements AutoCloseable {
        private final KeyedOneInputStreamOperatorTestHarness<K, I, O> harness;

        private Keyed(KeyedOneInputStreamOperatorTestHarness<K, I, O> harness) {
            this.harness = harness;
        }

        /** Processes one element (event timestamp 0). */
        public Keyed<K, I, O> push(I element) throws Exception {
            harness.processElement(element, 0L);
            return this;
        }

        /** Moves processing time to {@code millis}, firing the timers due. */
        public Keyed<K, I, O> processingTime(long millis) throws Exception {
            harness.setProcessingTime(millis);
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

        /** A checkpoint of the operator (keyed and operator state, timers). */
        public OperatorSubtaskState snapshot(long checkpointId) throws Exception {
            return harness.snapshot(checkpointId, checkpointId);
        }

        /** Keyed state entries held, over all keys and states. */
        public int stateEntries() {
            return harness.numKeyedStateEntries();
        }

        /** Processing-time timers registered. */
        public int timers() {
            return harness.numProcessingTimeTimers();
        }

        @Override
        public void close() throws Exception {
            harness.close();
        }
    }

    /** Opens {@code function} in a keyed harness restored from {@code state}. */
    public static <K, I, O> Keyed<K, I, O> keyedRestored(
            KeyedProcessFunction<K, I, O> function,
            KeySelector<I, K> key,
            TypeInformation<K> type,
            OperatorSubtaskState state)
            throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(function), key, type);
        harness.setup();
        harness.initializeState(state);
        harness.open();
        return new Keyed<>(harness);
    }

    /** Opens {@code function} in a keyed harness. */
    public static <K, I, O> Keyed<K, I, O> keyed(
            KeyedProcessFunction<K, I, O> function, KeySelector<I, K> key, TypeInformation<K> type)
            throws Exception {
        return new Keyed<>(
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(function, key, type));
    }
}
