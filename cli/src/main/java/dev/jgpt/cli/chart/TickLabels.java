package dev.jgpt.cli.chart;

import java.util.Locale;

/** Tick values as short labels: "0.25", "1500", "200k", "1.5M", "6e-4". */
final class TickLabels {
  private TickLabels() {}

  private static final String[] SI = {"", "k", "M", "G", "T"};

  /**
   * {@code v} with the decimals that {@code resolution} (the tick step, or the value itself on a
   * log axis) needs. An axis reaching 10,000 ({@code axisMagnitude}) counts in k, M, G so token
   * counts stay short; every label of an axis shares the suffix, so they read as one scale.
   */
  static String format(double v, double resolution, double axisMagnitude) {
    if (v == 0) return "0";
    int group = 0;
    while (axisMagnitude >= (group == 0 ? 10_000 : 1000) && group < SI.length - 1) {
      axisMagnitude /= 1000;
      group++;
    }
    double unit = Math.pow(1000, group);
    int decimals = Math.max(0, (int) -Math.floor(Math.log10(resolution / unit) + 1e-9));
    if (group == 0 && decimals > 3) { // 0.0001 is hard to read: 1e-5, with the digits the resolution needs
      int digits = Math.max(0, (int) (Math.floor(Math.log10(Math.abs(v))) - Math.floor(Math.log10(resolution) + 1e-9)));
      String mantissaAndExponent = String.format(Locale.ROOT, "%." + digits + "e", v);
      String[] parts = mantissaAndExponent.split("e");
      String mantissa = parts[0].contains(".") ? parts[0].replaceAll("0+$", "").replaceAll("\\.$", "") : parts[0];
      return mantissa + "e" + Integer.parseInt(parts[1]); // 1e-3, not 1.0e-03
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", v / unit) + SI[group];
  }
}
