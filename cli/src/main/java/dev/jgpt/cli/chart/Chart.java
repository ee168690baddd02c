package dev.jgpt.cli.chart;

import java.util.ArrayList;
import java.util.List;

/**
 * A line chart as lines of text: a title, the plot with y tick labels on the left, the x axis
 * with its tick labels and title, and a legend. Lines are drawn on a {@link BrailleCanvas} at
 * 2 x 4 dots per character cell; {@link CellGlyphs} and {@link SeriesPaint} decide how cells look.
 *
 * <pre>
 * loss (nats/token)
 *   3 ┤⠑⠢⢄⡀
 *     │   ⠈⠉⠒⠤⣀⣀
 *   1 ┤         ⠉⠉⠉
 *     └┬─────┬─────┬
 *      0    50   100
 *           step
 *      ⣿ train loss
 * </pre>
 */
public final class Chart {
  private Chart() {}

  /**
   * @param width  whole lines, y labels included (the terminal's width)
   * @param height rows of the plot itself; titles, axis and legend come on top of it
   */
  public record Layout(int width, int height, CellGlyphs glyphs, SeriesPaint paint, boolean logY) {
    public Layout {
      if (width < MIN_WIDTH || height < MIN_HEIGHT) {
        throw new IllegalArgumentException("a chart needs at least " + MIN_WIDTH + " x " + MIN_HEIGHT + " characters");
      }
    }
  }

  public static final int MIN_WIDTH = 20;
  public static final int MIN_HEIGHT = 3;

  /** Rows per y tick at most, so labels do not crowd: about one label every third row. */
  private static final int ROWS_PER_Y_TICK = 3;

  /**
   * Renders {@code series} (drawn in order: a later one wins a shared cell). Points that are not
   * finite, or not positive on a log axis, are skipped.
   *
   * @throws IllegalArgumentException when no series has a point to draw
   */
  public static List<String> render(String yTitle, String xTitle, List<Series> series, Layout layout) {
    List<Series> drawable = series.stream().map(s -> drawablePoints(s, layout.logY())).toList();
    double[] xRange = range(drawable, true);
    double[] yRange = range(drawable, false);
    if (xRange == null) throw new IllegalArgumentException("no values to plot");

    int maxYTicks = layout.height() / ROWS_PER_Y_TICK + 1;
    // y spans the data alone (ticks inside it): widening a few rows to a round number can waste a third of them
    Ticks yTicks = layout.logY() ? NiceTicks.log10(yRange[0], yRange[1], maxYTicks)
        : NiceTicks.inside(yRange[0], yRange[1], maxYTicks);
    int gutter = 0; // width of the y labels
    for (double v : yTicks.values()) gutter = Math.max(gutter, yTicks.label(v).length());
    int columns = layout.width() - gutter - 2; // the labels, a space, the axis
    Ticks xTicks = xTicksThatFit(xRange, columns);

    BrailleCanvas canvas = new BrailleCanvas(columns, layout.height(), Math.max(1, drawable.size()));
    for (int s = 0; s < drawable.size(); s++) draw(canvas, drawable.get(s), s, xTicks, yTicks);

    AxisChars axis = layout.glyphs().boxDrawing() ? AxisChars.BOX : AxisChars.ASCII;
    List<String> lines = new ArrayList<>();
    if (!yTitle.isEmpty()) lines.add(yTitle);
    String[] rowLabels = new String[layout.height()];
    for (double v : yTicks.values()) rowLabels[dotY(canvas, yTicks, v) / BrailleCanvas.DOTS_PER_CELL_Y] = yTicks.label(v);
    for (int row = 0; row < layout.height(); row++) {
      String label = rowLabels[row] == null ? "" : rowLabels[row];
      lines.add(stripEnd(" ".repeat(gutter - label.length()) + label + " " + (rowLabels[row] == null ? axis.vertical : axis.tick)
          + cells(canvas, row, layout, drawable.size())));
    }
    int plotStart = gutter + 2;
    lines.add(" ".repeat(gutter + 1) + xAxisLine(canvas, xTicks, axis));
    lines.add(stripEnd(xLabelLine(canvas, xTicks, plotStart, layout.width())));
    if (!xTitle.isEmpty()) {
      lines.add(stripEnd(" ".repeat(plotStart + Math.max(0, (columns - xTitle.length()) / 2)) + xTitle));
    }
    if (!series.isEmpty()) {
      for (String l : Legend.lines(series, layout.paint(), layout.glyphs(), layout.width(), plotStart)) lines.add(stripEnd(l));
    }
    return lines;
  }

  private enum AxisChars {
    BOX('│', '┤', '└', '─', '┬'),
    ASCII('|', '+', '+', '-', '+');

    final char vertical, tick, corner, horizontal, xTick;

    AxisChars(char vertical, char tick, char corner, char horizontal, char xTick) {
      this.vertical = vertical;
      this.tick = tick;
      this.corner = corner;
      this.horizontal = horizontal;
      this.xTick = xTick;
    }
  }

  private static Series drawablePoints(Series s, boolean logY) {
    int n = 0;
    double[] x = new double[s.size()];
    double[] y = new double[s.size()];
    for (int i = 0; i < s.size(); i++) {
      if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i]) && (!logY || s.y()[i] > 0)) {
        x[n] = s.x()[i];
        y[n++] = s.y()[i];
      }
    }
    return new Series(s.label(), java.util.Arrays.copyOf(x, n), java.util.Arrays.copyOf(y, n));
  }

  /** {min, max} of every series' x (or y) values; null when there are none. */
  private static double[] range(List<Series> series, boolean ofX) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (double v : ofX ? s.x() : s.y()) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    return min <= max ? new double[] {min, max} : null;
  }

  /** As many x ticks as fit with their labels two spaces apart. */
  private static Ticks xTicksThatFit(double[] xRange, int columns) {
    for (int maxTicks = Math.max(2, columns / 6); ; maxTicks--) {
      Ticks t = NiceTicks.linear(xRange[0], xRange[1], maxTicks);
      int widest = 0;
      for (double v : t.values()) widest = Math.max(widest, t.label(v).length());
      if (maxTicks == 2 || t.values().size() * (widest + 2) <= columns) return t;
    }
  }

  private static void draw(BrailleCanvas canvas, Series s, int series, Ticks xTicks, Ticks yTicks) {
    for (int i = 0; i < s.size(); i++) {
      int x = dotX(canvas, xTicks, s.x()[i]);
      int y = dotY(canvas, yTicks, s.y()[i]);
      if (i == 0) canvas.set(x, y, series);
      else canvas.line(dotX(canvas, xTicks, s.x()[i - 1]), dotY(canvas, yTicks, s.y()[i - 1]), x, y, series);
    }
  }

  private static int dotX(BrailleCanvas canvas, Ticks xTicks, double x) {
    return (int) Math.round(xTicks.fraction(x) * (canvas.dotWidth() - 1));
  }

  /** Dot rows count down from the top, values up from the bottom. */
  private static int dotY(BrailleCanvas canvas, Ticks yTicks, double y) {
    return (int) Math.round((1 - yTicks.fraction(y)) * (canvas.dotHeight() - 1));
  }

  /** One row of the plot; on colour, runs of cells of the same series share one colour code. */
  private static String cells(BrailleCanvas canvas, int row, Layout layout, int seriesCount) {
    SeriesPaint paint = layout.paint();
    boolean markers = paint.markers(seriesCount);
    StringBuilder out = new StringBuilder();
    StringBuilder run = new StringBuilder();
    int runSeries = -1;
    for (int c = 0; c < canvas.columns(); c++) {
      int s = canvas.dominantSeries(c, row);
      char ch = s < 0 ? ' ' : markers ? paint.marker(s) : layout.glyphs().glyph(canvas.dots(c, row));
      if (s != runSeries) { // blanks are a run of their own, uncoloured, so trailing ones can be trimmed
        out.append(runSeries < 0 ? run : paint.coloured(runSeries, run.toString()));
        run.setLength(0);
        runSeries = s;
      }
      run.append(ch);
    }
    out.append(runSeries < 0 ? run : paint.coloured(runSeries, run.toString()));
    return out.toString();
  }

  private static String xAxisLine(BrailleCanvas canvas, Ticks xTicks, AxisChars axis) {
    char[] line = new char[canvas.columns() + 1];
    java.util.Arrays.fill(line, axis.horizontal);
    line[0] = axis.corner;
    for (double v : xTicks.values()) line[1 + dotX(canvas, xTicks, v) / BrailleCanvas.DOTS_PER_CELL_X] = axis.xTick;
    return new String(line);
  }

  /** Tick labels centred under their ticks, kept inside the width; one that would touch its neighbour is left out. */
  private static String xLabelLine(BrailleCanvas canvas, Ticks xTicks, int offset, int width) {
    char[] line = new char[width];
    java.util.Arrays.fill(line, ' ');
    int freeFrom = 0;
    for (double v : xTicks.values()) {
      String label = xTicks.label(v);
      int centre = offset + dotX(canvas, xTicks, v) / BrailleCanvas.DOTS_PER_CELL_X;
      int start = Math.max(0, Math.min(width - label.length(), centre - label.length() / 2));
      if (start < freeFrom) continue;
      label.getChars(0, label.length(), line, start);
      freeFrom = start + label.length() + 1;
    }
    return new String(line);
  }

  private static String stripEnd(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == ' ') end--;
    return s.substring(0, end);
  }
}
