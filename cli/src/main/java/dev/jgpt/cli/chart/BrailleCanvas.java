package dev.jgpt.cli.chart;

/**
 * A grid of character cells, each 2 dots wide and 4 high as a braille character is, that
 * remembers which series set each dot: a chart draws its lines here in dot coordinates and then
 * asks each cell for its dots (the glyph) and its dominant series (the colour or marker).
 *
 * <p>Dot (x, y) has x growing to the right and y growing downwards, (0, 0) being the top-left dot.
 */
public final class BrailleCanvas {
  public static final int DOTS_PER_CELL_X = 2;
  public static final int DOTS_PER_CELL_Y = 4;

  private final int columns;
  private final int rows;
  /** dots[series][row * columns + column]: that series' dots in the cell, braille bit order. */
  private final byte[][] dots;

  public BrailleCanvas(int columns, int rows, int seriesCount) {
    if (columns < 1 || rows < 1 || seriesCount < 1) throw new IllegalArgumentException("empty canvas");
    this.columns = columns;
    this.rows = rows;
    this.dots = new byte[seriesCount][columns * rows];
  }

  /**
   * The bit of dot (dx, dy) within a cell in Unicode's braille numbering: dots 1-2-3 and 7 run
   * down the left column, 4-5-6 and 8 down the right (the bottom row was added last, hence 7 and 8).
   */
  static int bit(int dx, int dy) {
    return dy < 3 ? 1 << (dy + 3 * dx) : 1 << (6 + dx);
  }

  public int columns() {
    return columns;
  }

  public int rows() {
    return rows;
  }

  public int dotWidth() {
    return columns * DOTS_PER_CELL_X;
  }

  public int dotHeight() {
    return rows * DOTS_PER_CELL_Y;
  }

  /** Sets dot (x, y) for {@code series}; dots outside the canvas are ignored (lines may run off it). */
  public void set(int x, int y, int series) {
    if (x < 0 || y < 0 || x >= dotWidth() || y >= dotHeight()) return;
    int cell = (y / DOTS_PER_CELL_Y) * columns + x / DOTS_PER_CELL_X;
    dots[series][cell] |= (byte) bit(x % DOTS_PER_CELL_X, y % DOTS_PER_CELL_Y);
  }

  /** A straight line of dots from (x0, y0) to (x1, y1), both ends included (Bresenham). */
  public void line(int x0, int y0, int x1, int y1, int series) {
    int dx = Math.abs(x1 - x0);
    int dy = -Math.abs(y1 - y0);
    int sx = x0 < x1 ? 1 : -1;
    int sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    while (true) {
      set(x0, y0, series);
      if (x0 == x1 && y0 == y1) return;
      int e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  }

  /** Every series' dots in cell (column, row), braille bit order (0: empty). */
  public int dots(int column, int row) {
    int all = 0;
    for (byte[] s : dots) all |= s[row * columns + column] & 0xFF;
    return all;
  }

  /**
   * The series with the most dots in the cell, or -1 for an empty cell. A tie goes to the series
   * drawn later, so a sparse series drawn over a dense one (validation over training loss) shows.
   */
  public int dominantSeries(int column, int row) {
    int best = -1;
    int bestCount = 0;
    for (int s = 0; s < dots.length; s++) {
      int count = Integer.bitCount(dots[s][row * columns + column] & 0xFF);
      if (count > 0 && count >= bestCount) {
        best = s;
        bestCount = count;
      }
    }
    return best;
  }

  /** One row of cells as characters, without colour. */
  public String row(int row, CellGlyphs glyphs) {
    StringBuilder sb = new StringBuilder(columns);
    for (int c = 0; c < columns; c++) sb.append(glyphs.glyph(dots(c, row)));
    return sb.toString();
  }
}
