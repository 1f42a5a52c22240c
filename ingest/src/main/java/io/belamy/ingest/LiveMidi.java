package io.belamy.ingest;

import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.topic.MidiEventRecord;
import io.belamy.core.topic.Topics;
import java.io.PrintWriter;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import javax.sound.midi.MidiDevice;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.MidiUnavailableException;
import javax.sound.midi.Sequencer;
import javax.sound.midi.Synthesizer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Streams a MIDI input device (a keyboard) to {@code <prefix>corpus.midi} until interrupted. */
public final class LiveMidi {

    /** No MIDI input device matches; the message lists what the JDK sees. */
    public static final class NoDeviceException extends Exception {
        NoDeviceException(String message) {
            super(message);
        }
    }

    private LiveMidi() {}

    /** MIDI devices that can send (keyboards, interfaces), without the JDK's own sequencer. */
    public static List<MidiDevice.Info> inputs() {
        List<MidiDevice.Info> out = new ArrayList<>();
        for (MidiDevice.Info info : MidiSystem.getMidiDeviceInfo()) {
            try {
                MidiDevice d = MidiSystem.getMidiDevice(info);
                if (!(d instanceof Sequencer)
                        && !(d instanceof Synthesizer)
                        && d.getMaxTransmitters() != 0) {
                    out.add(info);
                }
            } catch (MidiUnavailableException e) {
                // a device that cannot be opened is not an input we can use
            }
        }
        return out;
    }

    /** The input whose name contains {@code name} (any input when blank). */
    public static MidiDevice.Info find(String name) throws NoDeviceException {
        List<MidiDevice.Info> inputs = inputs();
        if (inputs.isEmpty()) {
            throw new NoDeviceException(
                    "no MIDI input device found: the JDK lists none on this machine (connect a"
                            + " keyboard or a MIDI interface; ALSA sequencer ports need"
                            + " /dev/snd/seq)");
        }
        for (MidiDevice.Info i : inputs) {
            if (name == null
                    || name.isBlank()
                    || i.getName()
                            .toLowerCase(Locale.ROOT)
                            .contains(name.toLowerCase(Locale.ROOT))) {
                return i;
            }
        }
        List<String> names = inputs.stream().map(MidiDevice.Info::getName).toList();
        throw new NoDeviceException(
                "no MIDI input device matches \""
                        + name
                        + "\"; inputs: "
                        + String.join(", ", names));
    }

    /**
     * Records from the device until {@code stop} counts down, then sends the end marker.
     *
     * @return the records sent
     */
    public static long record(
            KafkaSettings kafka,
            Topics topics,
            String corpus,
            MidiDevice.Info device,
            CountDownLatch stop,
            PrintWriter log)
            throws Exception {
        String piece =
                "live/"
                        + device.getName().replaceAll("[^A-Za-z0-9._-]", "_")
                        + "/"
                        + LocalDateTime.now()
                                .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Properties p = kafka.clientConfig();
        p.setProperty("key.serializer", StringSerializer.class.getName());
        p.setProperty("value.serializer", ByteArraySerializer.class.getName());
        p.setProperty("enable.idempotence", "true");
        p.setProperty("acks", "all");
        p.setProperty("linger.ms", "0");
        String topic = topics.corpusMidi().name();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p);
                MidiDevice d = MidiSystem.getMidiDevice(device)) {
            LiveRecorder recorder =
                    new LiveRecorder(
                            corpus,
                            piece,
                            r ->
                                    producer.send(
                                            new ProducerRecord<>(
                                                    topic,
                                                    piece,
                                                    MidiEventRecord.CODEC.encode(r))));
            d.open();
            d.getTransmitter().setReceiver(recorder);
            log.println(
                    "recording "
                            + device.getName()
                            + " as piece "
                            + piece
                            + " to "
                            + topic
                            + "; Ctrl-C ends the piece");
            log.flush();
            stop.await();
            recorder.close();
            producer.flush();
            return recorder.events() + 1;
        }
    }
}
