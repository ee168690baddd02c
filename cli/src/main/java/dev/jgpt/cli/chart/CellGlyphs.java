package dev.jgpt.cli.chart;

import java.nio.charset.Charset;

/**
 * How a cell of 2 x 4 dots becomes one character. Braille shows all eight dots; where the output
 * cannot encode braille (a font or charset without it), half blocks or plain ASCII keep the
 * shape at 1 x 2 per cell: a dot in the top two rows lights the upper half, the bottom two the lower.
 */
public enum CellGlyphs {
  /** U+2800 + the dot bits: the full resolution. */
  BRAILLE,
  /** ▀ ▄ █: in every code page that has box drawing (CP437 included). */
  HALF_BLOCKS,
  /** ' . : in 7-bit ASCII, for any output at all. */
  ASCII;

  private static final int UPPER_DOTS = BrailleCanvas.bit(0, 0) | BrailleCanvas.bit(1, 0)
      | BrailleCanvas.bit(0, 1) | BrailleCanvas.bit(1, 1);
  private static final int LOWER_DOTS = BrailleCanvas.bit(0, 2) | BrailleCanvas.bit(1, 2)
      | BrailleCanvas.bit(0, 3) | BrailleCanvas.bit(1, 3);

  /** The character for a cell whose dots are {@code dots} (braille bit order); a space for none. */
  public char glyph(int dots) {
    if (this == BRAILLE) return dots == 0 ? ' ' : (char) (0x2800 + dots);
    boolean upper = (dots & UPPER_DOTS) != 0;
    boolean lower = (dots & LOWER_DOTS) != 0;
    if (this == HALF_BLOCKS) return upper && lower ? '█' : upper ? '▀' : lower ? '▄' : ' ';
    return upper && lower ? ':' : upper ? '\'' : lower ? '.' : ' ';
  }

  /** A cell with every dot set: the legend's colour swatch. */
  public char full() {
    return glyph(0xFF);
  }

  /** Whether the axes may use box-drawing characters (they are in the same code pages as the blocks). */
  public boolean boxDrawing() {
    return this != ASCII;
  }

  /** The richest glyphs {@code charset} can encode: braille, else half blocks and box drawing, else ASCII. */
  public static CellGlyphs bestFor(Charset charset) {
    var encoder = charset.newEncoder();
    if (encoder.canEncode("⣿└─┬┤│")) return BRAILLE;
    if (encoder.canEncode("▀▄█└─┬┤│")) return HALF_BLOCKS;
    return ASCII;
  }
}
