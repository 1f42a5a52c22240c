package io.belamy.train;

/**
 * A piano-roll phrase on its way to the GAN trainer.
 *
 * @param piece the piece it was cut from ({@code corpus/piece})
 * @param index its position among the piece's phrases
 * @param bits the roll's cells ({@code PianoRoll.toBits()})
 */
public record Phrase(String piece, int index, long[] bits) {}
