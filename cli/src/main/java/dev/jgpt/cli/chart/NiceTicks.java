package dev.jgpt.cli.chart;

import java.util.ArrayList;
import java.util.List;

/**
 * Tick values people read at a glance: steps of 1, 2 or 5 times a power of ten (Heckbert's
 * "nice numbers"), and on a log axis every digit, or 1-2-5, within each decade.
 */
public final class NiceTicks {
  private NiceTicks() {}

  private static final double[] NICE_MANTISSAS = {1, 2, 5};

  /**
   * The smallest nice step that puts at most {@code maxTicks} (at least 3) ticks on [min, max],
   * the range widened outward to multiples of it. A single value gets a range around it.
   */
  public static Ticks linear(double min, double max, int maxTicks) {
    if (!(min <= max) || !Double.isFinite(min) || !Double.isFinite(max)) throw new IllegalArgumentException("bad range " + min + ".." + max);
    if (min == max) {
      double pad = min == 0 ? 1 : Math.abs(min) * 0.1;
      min -= pad;
      max += pad;
    }
    maxTicks = Math.max(3, maxTicks); // 2 could never hold a range around 0 (-step, 0, step)
    double rough = (max - min) / (maxTicks - 1);
    // widening to multiples can add a tick or two, so the first step that fits may be a decade up
    for (double decade = Math.pow(10, Math.floor(Math.log10(rough))); ; decade *= 10) {
      for (double m : NICE_MANTISSAS) {
        double step = m * decade;
        long first = (long) Math.floor(min / step + 1e-9);
        long last = (long) Math.ceil(max / step - 1e-9);
        if (last - first + 1 <= maxTicks) return multiples(first, last, step);
      }
    }
  }

  /**
   * Nice ticks within [min, max], which stays the axis range: the smallest 1-2-5 step with at most
   * {@code maxTicks} (at least 2) multiples inside. For an axis where the data should fill the space.
   */
  public static Ticks inside(double min, double max, int maxTicks) {
    if (!(min <= max) || !Double.isFinite(min) || !Double.isFinite(max)) throw new IllegalArgumentException("bad range " + min + ".." + max);
    if (min == max) return linear(min, max, maxTicks); // no range to fill: one around the value
    maxTicks = Math.max(2, maxTicks);
    double rough = (max - min) / maxTicks;
    for (double decade = Math.pow(10, Math.floor(Math.log10(rough))); ; decade *= 10) {
      for (double m : NICE_MANTISSAS) {
        double step = m * decade;
        long first = (long) Math.ceil(min / step - 1e-9);
        long last = (long) Math.floor(max / step + 1e-9);
        if (last < first) return linear(min, max, maxTicks); // the step outgrew the range: widen after all
        if (last - first + 1 <= maxTicks) {
          Ticks t = multiples(first, last, step);
          return new Ticks(min, max, t.values(), step, false);
        }
      }
    }
  }

  private static Ticks multiples(long first, long last, double step) {
    List<Double> values = new ArrayList<>();
    // i * step, not a running sum: 0.1 + 0.2 must print as 0.3
    for (long i = first; i <= last; i++) values.add(clean(i * step));
    return new Ticks(values.getFirst(), values.getLast(), List.copyOf(values), step, false);
  }

  /** Rounds away float noise (0.30000000000000004) and negative zero. */
  private static double clean(double v) {
    if (v == 0) return 0;
    double scale = Math.pow(10, 12 - Math.floor(Math.log10(Math.abs(v))));
    return Math.round(v * scale) / scale;
  }

  /** Mantissas per decade, richest first: the first that gives at most maxTicks ticks is used. */
  private static final double[][] LOG_MANTISSAS = {{1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 5}, {1, 3}, {1}};

  /**
   * Ticks for a log axis over [min, max] (both positive): 1 to 9 x 10^k within a decade or so, else
   * 1, 2, 5 x 10^k, thinned to 1, 3 or powers of ten (every n-th decade) when there would be more than {@code maxTicks}; the range
   * widened outward to the ticks around it.
   */
  public static Ticks log10(double min, double max, int maxTicks) {
    if (!(min > 0) || !(min <= max) || !Double.isFinite(max)) throw new IllegalArgumentException("bad log range " + min + ".." + max);
    if (min == max) {
      min /= 2;
      max *= 2;
    }
    maxTicks = Math.max(2, maxTicks);
    for (double[] mantissas : LOG_MANTISSAS) {
      List<Double> values = logValues(min, max, mantissas, 1);
      if (values.size() <= maxTicks) return new Ticks(values.getFirst(), values.getLast(), values, Double.NaN, true);
    }
    for (int everyDecades = 2; ; everyDecades++) {
      List<Double> values = logValues(min, max, new double[] {1}, everyDecades);
      if (values.size() <= maxTicks) return new Ticks(values.getFirst(), values.getLast(), values, Double.NaN, true);
    }
  }

  /** m x 10^k for every mantissa m, from the largest at or below min to the smallest at or above max. */
  private static List<Double> logValues(double min, double max, double[] mantissas, int everyDecades) {
    List<Double> all = new ArrayList<>();
    int lowDecade = (int) Math.floor(Math.log10(min) + 1e-9);
    lowDecade = Math.floorDiv(lowDecade, everyDecades) * everyDecades;
    int highDecade = (int) Math.ceil(Math.log10(max) - 1e-9);
    for (int k = lowDecade; k <= highDecade + everyDecades; k += everyDecades) {
      for (double m : mantissas) all.add(clean(m * Math.pow(10, k)));
    }
    int first = 0;
    while (first + 1 < all.size() && all.get(first + 1) <= min * (1 + 1e-9)) first++;
    int last = all.size() - 1;
    while (last - 1 > first && all.get(last - 1) >= max * (1 - 1e-9)) last--;
    return List.copyOf(all.subList(first, last + 1));
  }
}
