package dev.jgpt.cli;

import dev.jgpt.cli.chart.CellGlyphs;
import dev.jgpt.cli.chart.Chart;
import dev.jgpt.cli.chart.SeriesPaint;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The loss chart at the end of {@code jgpt train}, on a terminal only: a log file or a pipe keeps
 * the plain summary it always had. A chart that cannot be drawn (no metrics yet) is left out
 * silently: the summary must never fail a run that trained.
 */
final class TrainSummaryChart {
  private TrainSummaryChart() {}

  /** Rows of the plot: small enough that the summary above stays on screen. */
  private static final int HEIGHT = 12;

  static void print(PrintStream out, Path runDir) {
    if (!StdoutTerminal.isTerminal()) return;
    try {
      RunMetrics run = RunMetrics.read(runDir, RunMetrics.XAxis.step);
      Chart.Layout layout = new Chart.Layout(Math.max(Chart.MIN_WIDTH, StdoutTerminal.columns()), HEIGHT,
          CellGlyphs.bestFor(out.charset()), new SeriesPaint(true), false);
      for (String line : MetricCharts.render(List.of(run), Metric.parse(List.of(Metric.LOSS)), RunMetrics.XAxis.step, layout)) {
        out.println(line);
      }
    } catch (Exception e) {
      // no chart rather than a failed summary
    }
  }
}
