package dev.jgpt.cli.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChartTest {
  /** A loss falling from 3 to 1 over 100 steps, then flat. */
  private static final Series LOSS = new Series("train loss", new double[] {0, 20, 40, 60, 80, 100},
      new double[] {3.0, 2.2, 1.6, 1.3, 1.1, 1.0});
  private static final Series VAL = new Series("val loss", new double[] {0, 50, 100}, new double[] {3.1, 1.5, 1.2});

  private static String render(List<Series> series, Chart.Layout layout) {
    return String.join("\n", Chart.render("loss", "step", series, layout)) + "\n";
  }

  @Test
  void aSmallChartOfOneSeries() {
    String expected = """
        loss
        3 ┤⠑⡄
          │ ⠈⠢⡀
          │   ⠘⢄
        2 ┤     ⠑⢄⡀
          │       ⠈⠢⣀
          │          ⠉⠒⠤⣀⡀
        1 ┤              ⠈⠉⠒⠢⠤⠤⢄⣀⣀
          └┬──────────┬──────────┬
           0         50        100
                    step
           ⣿ train loss
        """;
    assertEquals(expected, render(List.of(LOSS), new Chart.Layout(26, 7, CellGlyphs.BRAILLE, new SeriesPaint(false), false)));
  }

  @Test
  void withoutColourSeveralSeriesGetMarkersAndALegend() {
    String chart = render(List.of(LOSS, VAL), new Chart.Layout(30, 6, CellGlyphs.ASCII, new SeriesPaint(false), false));
    assertTrue(chart.contains("* train loss   + val loss"), chart);
    assertTrue(chart.contains("+") && chart.contains("*"), chart);
    assertTrue(chart.chars().allMatch(c -> c < 128), "ASCII only:\n" + chart);
    assertTrue(chart.contains("+------"), "ASCII axes:\n" + chart);
  }

  @Test
  void withColourEachSeriesHasItsOwnColour() {
    String chart = render(List.of(LOSS, VAL), new Chart.Layout(30, 6, CellGlyphs.BRAILLE, new SeriesPaint(true), false));
    assertTrue(chart.contains("\u001b[36m⣿\u001b[0m train loss"), chart);
    assertTrue(chart.contains("\u001b[33m⣿\u001b[0m val loss"), chart);
    assertTrue(chart.contains("\u001b[33m") && chart.lines().skip(1).limit(6).anyMatch(l -> l.contains("\u001b[33m")),
        "val loss drawn in yellow:\n" + chart);
  }

  @Test
  void linesFitTheWidth() {
    for (int width : new int[] {20, 33, 80, 131}) {
      List<String> lines = Chart.render("loss", "step", List.of(LOSS, VAL),
          new Chart.Layout(width, 10, CellGlyphs.BRAILLE, new SeriesPaint(false), true));
      for (String l : lines) assertTrue(l.length() <= width, width + ": '" + l + "'");
      if (width > 20) assertEquals(1 + 10 + 3 + 1, lines.size(), "title, plot, axis, labels, x title, legend");
    }
  }

  @Test
  void nothingToDrawIsAnError() {
    Series empty = new Series("lr", new double[] {0}, new double[] {Double.NaN});
    assertThrows(IllegalArgumentException.class, () -> Chart.render("lr", "step", List.of(empty),
        new Chart.Layout(40, 5, CellGlyphs.BRAILLE, new SeriesPaint(false), false)));
  }
}
