package io.belamy.streaming;

import io.belamy.core.topic.DeadLetter;
import io.belamy.core.topic.Topics;

/** Builds dead-letter records for records a job gives up on. */
public final class DeadLetters {

    private DeadLetters() {}

    /** A dead letter for {@code record}, keyed like the record. */
    public static OutRecord of(
            Topics topics, String job, RawRecord record, String code, String message) {
        DeadLetter letter =
                DeadLetter.of(
                        new DeadLetter.Source(
                                record.topic(),
                                record.partition(),
                                record.offset(),
                                record.keyString()),
                        job,
                        code,
                        message,
                        record.value(),
                        System.currentTimeMillis());
        return OutRecord.of(topics.dlq(), record.keyString(), letter);
    }
}
