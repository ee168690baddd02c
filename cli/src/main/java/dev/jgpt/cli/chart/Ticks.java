package dev.jgpt.cli.chart;

import java.util.List;

/**
 * An axis' range and its labelled values. {@code low} and {@code high} are the first and last
 * tick, so the data fits between two labels and the chart's edges are round numbers.
 *
 * @param step the distance between linear ticks; NaN on a log axis, where it varies
 */
public record Ticks(double low, double high, List<Double> values, double step, boolean log) {

  /** Where {@code v} lies between low (0) and high (1), measured in log space on a log axis. */
  public double fraction(double v) {
    if (log) return (Math.log10(v) - Math.log10(low)) / (Math.log10(high) - Math.log10(low));
    return (v - low) / (high - low);
  }

  /** {@code v} as its tick label: as many decimals as the step needs, k/M/G for large numbers. */
  public String label(double v) {
    return TickLabels.format(v, log ? Math.abs(v) : step, Math.max(Math.abs(low), Math.abs(high)));
  }
}
