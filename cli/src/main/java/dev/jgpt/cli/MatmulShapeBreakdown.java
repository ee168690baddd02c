package dev.jgpt.cli;

import dev.jgpt.kernels.ProfilingBackend.MatmulShapeTotal;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The matmul rows of {@code jgpt bench train} split by shape, in a step's order: calls and
 * milliseconds per step, GFLOP/s and % of the FMA peak of each, so a shape that runs slower
 * inside a step than alone ({@code jgpt bench kernels}) shows.
 *
 * @param shapes the profiler's per-shape totals over {@code steps} timed steps
 * @param steps how many steps the totals cover
 * @param peakGflops this machine's FP32 peak, NaN when not measured (no % of peak column then)
 */
record MatmulShapeBreakdown(List<MatmulShapeTotal> shapes, int steps, double peakGflops) {

  void print(PrintStream out) {
    out.println(String.format(Locale.ROOT, "%-24s %-18s %7s %10s %9s %7s", "matmul", "rows x C -> OC", "calls",
        "ms/step", "GFLOP/s", "% peak"));
    for (MatmulShapeTotal s : shapes) {
      double gflops = s.nanos() > 0 ? s.flops() / s.nanos() : 0; // flops per ns = GFLOP/s
      String peak = Double.isFinite(peakGflops) ? String.format(Locale.ROOT, "%.0f%%", 100 * gflops / peakGflops) : "";
      double calls = (double) s.calls() / steps;
      out.println(String.format(Locale.ROOT, "%-24s %-18s %7s %10.3f %9.1f %7s", s.op().label(),
          s.N() + " x " + s.C() + " -> " + s.OC(), calls == Math.rint(calls) ? String.format(Locale.ROOT, "%.0f", calls)
              : String.format(Locale.ROOT, "%.1f", calls), s.nanos() / 1e6 / steps, gflops, peak));
    }
  }
}
