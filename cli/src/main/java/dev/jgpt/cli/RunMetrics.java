package dev.jgpt.cli;

import dev.jgpt.cli.chart.Series;
import dev.jgpt.transformer.Checkpoint;
import dev.jgpt.transformer.MetricsLog;
import dev.jgpt.transformer.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One run's metrics.jsonl, read with {@link MetricsLog}, as chart series against steps or
 * tokens. Tokens are steps times the run's tokens per step (batch x context x accumulation, from
 * its config.json): metrics.jsonl itself only counts steps.
 *
 * @param name how the legend calls the run: the folder as given on the command line
 */
record RunMetrics(String name, List<Map<String, Object>> records, long tokensPerStep) {

  enum XAxis { step, tokens }

  /**
   * Reads {@code run}'s metrics (and its config.json when the x axis is tokens).
   *
   * @throws UserException for a folder without metrics.jsonl, an empty one, or a line that is not JSON
   */
  static RunMetrics read(Path run, XAxis x) throws IOException {
    Path file = run.resolve(Checkpoint.METRICS);
    if (!Files.isRegularFile(file)) {
      throw new UserException(Files.isDirectory(run)
          ? run + " has no " + Checkpoint.METRICS + ": not a run folder, or a run that has not logged a step yet"
          : "no such run folder: " + run);
    }
    List<Map<String, Object>> records;
    try {
      records = MetricsLog.read(file);
    } catch (IllegalArgumentException e) {
      throw new UserException(file + " is not JSON lines: " + e.getMessage(), e);
    }
    if (records.isEmpty()) throw new UserException(file + " is empty: the run has not logged a step yet");
    long tokensPerStep = 0;
    if (x == XAxis.tokens) {
      if (!Files.isRegularFile(run.resolve(Checkpoint.CONFIG))) {
        throw new UserException(run + " has no " + Checkpoint.CONFIG + " to count tokens per step from; plot against --x step");
      }
      tokensPerStep = RunDirectory.readConfig(run).tokensPerStep();
    }
    return new RunMetrics(run.toString(), records, tokensPerStep);
  }

  /** {@code metric} against the x axis, only the records that hold it (validation is logged every eval_interval). */
  Series series(Metric metric, XAxis x, String label) {
    double[] xs = new double[records.size()];
    double[] ys = new double[records.size()];
    int n = 0;
    for (Map<String, Object> r : records) {
      if (!(r.get(metric.key) instanceof Number value) || !(r.get("step") instanceof Number step)) continue;
      xs[n] = x == XAxis.tokens ? step.doubleValue() * tokensPerStep : step.doubleValue();
      ys[n++] = value.doubleValue();
    }
    return new Series(label, java.util.Arrays.copyOf(xs, n), java.util.Arrays.copyOf(ys, n));
  }
}
