package dev.jgpt.cli.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BrailleCanvasTest {

  private static String only(int x, int y) {
    BrailleCanvas c = new BrailleCanvas(1, 1, 1);
    c.set(x, y, 0);
    return c.row(0, CellGlyphs.BRAILLE);
  }

  @Test
  void eachDotOfACellIsItsBrailleDot() {
    assertEquals("⠁", only(0, 0), "dot 1: top left");
    assertEquals("⠂", only(0, 1), "dot 2");
    assertEquals("⠄", only(0, 2), "dot 3");
    assertEquals("⡀", only(0, 3), "dot 7: bottom left");
    assertEquals("⠈", only(1, 0), "dot 4: top right");
    assertEquals("⠐", only(1, 1), "dot 5");
    assertEquals("⠠", only(1, 2), "dot 6");
    assertEquals("⢀", only(1, 3), "dot 8: bottom right");
  }

  @Test
  void dotsFallInTheirCellsAndOutsideDotsAreIgnored() {
    BrailleCanvas c = new BrailleCanvas(3, 2, 1);
    c.set(2, 0, 0); // cell (1, 0), top left
    c.set(5, 7, 0); // cell (2, 1), bottom right
    c.set(6, 0, 0); // off the right edge
    c.set(-1, 3, 0);
    assertEquals(" ⠁", c.row(0, CellGlyphs.BRAILLE).stripTrailing());
    assertEquals("  ⢀", c.row(1, CellGlyphs.BRAILLE));
  }

  @Test
  void linesAreUnbrokenAndFillCells() {
    BrailleCanvas c = new BrailleCanvas(2, 1, 1);
    c.line(0, 0, 3, 3, 0); // the diagonal through both cells
    assertEquals("⠑⢄", c.row(0, CellGlyphs.BRAILLE));
    BrailleCanvas full = new BrailleCanvas(1, 1, 1);
    for (int y = 0; y < 4; y++) full.line(0, y, 1, y, 0);
    assertEquals("⣿", full.row(0, CellGlyphs.BRAILLE));
  }

  @Test
  void fallbackGlyphsKeepTheTopAndBottomHalves() {
    BrailleCanvas c = new BrailleCanvas(3, 1, 1);
    c.set(0, 1, 0); // top half of cell 0
    c.set(3, 2, 0); // bottom half of cell 1
    c.line(4, 0, 4, 3, 0); // all of cell 2's left column
    assertEquals("▀▄█", c.row(0, CellGlyphs.HALF_BLOCKS));
    assertEquals("'.:", c.row(0, CellGlyphs.ASCII));
  }

  @Test
  void aCellBelongsToTheSeriesWithMostDotsTheLaterOnATie() {
    BrailleCanvas c = new BrailleCanvas(2, 1, 2);
    c.line(0, 0, 1, 0, 0);
    c.set(0, 3, 1);
    c.set(2, 0, 0);
    c.set(3, 0, 1);
    assertEquals(0, c.dominantSeries(0, 0));
    assertEquals(1, c.dominantSeries(1, 0), "one dot each: the later series");
    assertEquals("⡉⠉", c.row(0, CellGlyphs.BRAILLE), "the glyph shows every series' dots");
  }
}
