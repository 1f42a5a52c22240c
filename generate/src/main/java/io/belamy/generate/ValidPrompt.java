package io.belamy.generate;

import io.belamy.core.generation.SamplingParams;
import io.belamy.core.music.gan.MusicGenerator;
import io.belamy.core.topic.PromptRecord;
import io.belamy.streaming.RawRecord;

/**
 * A prompt that passed validation, with its parsed parameters and the record it came from.
 *
 * @param params sampling parameters of a text prompt (null for music)
 * @param music the request of a music prompt (null for text)
 */
public record ValidPrompt(
        PromptRecord prompt,
        SamplingParams params,
        MusicGenerator.Request music,
        RawRecord source) {}
