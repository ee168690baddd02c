package dev.jgpt.cli.chart;

/**
 * One line of a chart: its legend label and its points, in x order. Points with a NaN or
 * infinite coordinate (a value not measured at that step) are skipped, not drawn as gaps.
 */
public record Series(String label, double[] x, double[] y) {
  public Series {
    if (x.length != y.length) throw new IllegalArgumentException("x and y differ in length");
  }

  public int size() {
    return x.length;
  }
}
