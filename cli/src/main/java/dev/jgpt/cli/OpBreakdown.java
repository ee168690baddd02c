package dev.jgpt.cli;

import dev.jgpt.kernels.ProfilingBackend.OpTotal;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The per-op table of {@code jgpt bench train}: for each kind of op, calls and milliseconds per
 * step, its share of the step, and for matmuls GFLOP/s and % of the FMA peak; then the sum of
 * the ops, the time outside them (host-side work between ops) and the mean step they add up to.
 *
 * @param totals the profiler's totals over {@code steps} timed steps
 * @param steps how many steps the totals cover
 * @param meanStepNanos mean wall time of one of those steps
 * @param peakGflops this machine's FP32 peak, NaN when not measured (no % of peak column then)
 */
record OpBreakdown(List<OpTotal> totals, int steps, double meanStepNanos, double peakGflops) {

  /** Sum over all kinds, per step, in ms. */
  double opsMillisPerStep() {
    long sum = 0;
    for (OpTotal t : totals) sum += t.nanos();
    return sum / 1e6 / steps;
  }

  void print(PrintStream out) {
    String header = String.format(Locale.ROOT, "%-32s %9s %10s %7s %9s %7s", "op", "calls", "ms/step", "% step",
        "GFLOP/s", "% peak");
    out.println(header);
    double stepMs = meanStepNanos / 1e6;
    for (OpTotal t : totals) {
      double ms = t.nanos() / 1e6 / steps;
      String rate = "", peak = "";
      if (t.flops() > 0 && t.nanos() > 0) {
        double gflops = t.flops() / t.nanos(); // flops per ns = GFLOP/s
        rate = String.format(Locale.ROOT, "%.1f", gflops);
        if (Double.isFinite(peakGflops)) peak = String.format(Locale.ROOT, "%.0f%%", 100 * gflops / peakGflops);
      }
      out.println(String.format(Locale.ROOT, "%-32s %9s %10.3f %6.1f%% %9s %7s", t.op().label(),
          calls((double) t.calls() / steps), ms, 100 * ms / stepMs, rate, peak));
    }
    double opsMs = opsMillisPerStep();
    out.println("-".repeat(header.length()));
    out.println(String.format(Locale.ROOT, "%-32s %9s %10.3f %6.1f%%", "sum of ops", "", opsMs, 100 * opsMs / stepMs));
    out.println(String.format(Locale.ROOT, "%-32s %9s %10.3f %6.1f%%", "outside the ops (host side)", "",
        stepMs - opsMs, 100 * (stepMs - opsMs) / stepMs));
    out.println(String.format(Locale.ROOT, "%-32s %9s %10.3f %6.1f%%", "step (mean)", "", stepMs, 100.0));
  }

  /** Calls per step: whole numbers as such, else one decimal. */
  private static String calls(double perStep) {
    return perStep == Math.rint(perStep) ? String.format(Locale.ROOT, "%.0f", perStep)
        : String.format(Locale.ROOT, "%.1f", perStep);
  }
}
