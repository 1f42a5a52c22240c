package io.belamy.generate;

import io.belamy.core.generation.SamplingParams;
import io.belamy.core.topic.PromptRecord;
import io.belamy.streaming.RawRecord;

/** A prompt that passed validation, with its parsed parameters and the record it came from. */
public record ValidPrompt(PromptRecord prompt, SamplingParams params, RawRecord source) {}
