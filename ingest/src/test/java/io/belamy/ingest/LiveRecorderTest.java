package io.belamy.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.belamy.core.music.MidiEvents;
import io.belamy.core.music.Note;
import io.belamy.core.music.Piece;
import io.belamy.core.topic.MidiEventRecord;
import java.util.ArrayList;
import java.util.List;
import javax.sound.midi.ShortMessage;
import org.junit.jupiter.api.Test;

class LiveRecorderTest {

    @Test
    void keyboardMessagesBecomeRecordsOfOnePieceAndTheEndMarkerComesOnClose() throws Exception {
        List<MidiEventRecord> sent = new ArrayList<>();
        LiveRecorder r = new LiveRecorder("live", "live/kbd/1", sent::add);
        long t0 = 1_000_000; // device timestamps, microseconds
        r.send(new ShortMessage(ShortMessage.PROGRAM_CHANGE, 0, 5, 0), t0);
        r.send(new ShortMessage(ShortMessage.NOTE_ON, 0, 60, 90), t0);
        r.send(new ShortMessage(ShortMessage.NOTE_ON, 0, 64, 80), t0 + 250_000);
        r.send(new ShortMessage(ShortMessage.NOTE_ON, 0, 60, 0), t0 + 500_000); // off by velocity 0
        r.send(new ShortMessage(ShortMessage.NOTE_OFF, 0, 64, 0), t0 + 1_000_000);
        r.send(new ShortMessage(ShortMessage.NOTE_ON, 9, 36, 100), t0 + 1_000_000);
        r.send(new ShortMessage(ShortMessage.NOTE_OFF, 0, 70, 0), t0 + 1_500_000); // nothing
        assertThat(sent).hasSize(4); // signature, tempo, two notes; the drum still sounds
        r.close(); // ends the drum at the latest time seen (tick 1440) or later

        // 120 bpm at 480 ppq: 1 s = 960 ticks
        Piece p = MidiEvents.toPiece(sent);
        assertThat(p.notes().subList(0, 2))
                .containsExactly(
                        new Note(0, 480, 60, 90, 0, 5, 0), new Note(240, 720, 64, 80, 0, 5, 0));
        assertThat(p.notes()).hasSize(3); // the drum closed by close()
        assertThat(p.notes().get(2).drum()).isTrue();
        assertThat(p.notes().get(2).duration()).isGreaterThanOrEqualTo(480);
        MidiEventRecord end = sent.get(sent.size() - 1);
        assertThat(end.type()).isEqualTo(MidiEventRecord.END);
        assertThat(end.eventCount()).isEqualTo(sent.size() - 1);
        assertThat(sent).extracting(MidiEventRecord::seq).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    }
}
