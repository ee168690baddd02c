package dev.jgpt.cli;

import dev.jgpt.cli.chart.Chart;
import dev.jgpt.cli.chart.Series;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The charts of {@code jgpt plot} and of the train summary: one chart per y axis (the losses
 * share one; lr, grad_norm... get their own), every run overlaid on each.
 */
final class MetricCharts {
  private MetricCharts() {}

  /**
   * The lines of every chart, a blank line between charts.
   *
   * @throws UserException when a chart would be empty: no run logged any of its metrics
   */
  static List<String> render(List<RunMetrics> runs, List<Metric> metrics, RunMetrics.XAxis x, Chart.Layout layout) {
    Map<String, List<Metric>> byChart = new LinkedHashMap<>();
    for (Metric m : metrics) byChart.computeIfAbsent(m.chart, k -> new ArrayList<>()).add(m);
    List<String> lines = new ArrayList<>();
    for (Map.Entry<String, List<Metric>> chart : byChart.entrySet()) {
      List<Series> series = new ArrayList<>();
      for (RunMetrics run : runs) {
        for (Metric m : chart.getValue()) {
          Series s = run.series(m, x, label(run, m, runs.size(), chart.getValue().size()));
          if (s.size() > 0) series.add(s);
        }
      }
      if (!lines.isEmpty()) lines.add("");
      try {
        lines.addAll(Chart.render(chart.getKey(), x.name(), series, layout));
      } catch (IllegalArgumentException e) { // nothing to draw
        throw new UserException("no " + keys(chart.getValue()) + " values" + (layout.logY() ? " above 0 (--log-y)" : "")
            + " in " + files(runs) + (chart.getValue().contains(Metric.VAL_LOSS) || chart.getValue().contains(Metric.VAL_BPB)
                ? " (validation is logged every eval_interval steps)" : ""));
      }
    }
    return lines;
  }

  /** The legend's name for a series: what tells it apart from the others in its chart. */
  private static String label(RunMetrics run, Metric m, int runCount, int metricCount) {
    if (runCount == 1) return m.label;
    return metricCount == 1 ? run.name() : run.name() + " " + m.label;
  }

  private static String keys(List<Metric> metrics) {
    return String.join(" or ", metrics.stream().map(m -> m.key).toList());
  }

  private static String files(List<RunMetrics> runs) {
    return String.join(", ", runs.stream().map(r -> java.nio.file.Path.of(r.name()).resolve("metrics.jsonl").toString()).toList());
  }
}
