package dev.jgpt.cli.chart;

import java.util.ArrayList;
import java.util.List;

/** The key under a chart: a swatch (the series' colour or marker) and label per series, wrapped to the width. */
final class Legend {
  private Legend() {}

  static List<String> lines(List<Series> series, SeriesPaint paint, CellGlyphs glyphs, int width, int indent) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder(" ".repeat(indent));
    int visible = indent; // the line's length without colour codes
    for (int s = 0; s < series.size(); s++) {
      String swatch = paint.markers(series.size()) ? String.valueOf(paint.marker(s)) : String.valueOf(glyphs.full());
      String entry = swatch + " " + series.get(s).label();
      int gap = visible == indent ? 0 : 3;
      if (visible > indent && visible + gap + entry.length() > width) {
        lines.add(line.toString());
        line = new StringBuilder(" ".repeat(indent));
        visible = indent;
        gap = 0;
      }
      line.append(" ".repeat(gap)).append(paint.coloured(s, swatch)).append(' ').append(series.get(s).label());
      visible += gap + entry.length();
    }
    lines.add(line.toString());
    return lines;
  }
}
