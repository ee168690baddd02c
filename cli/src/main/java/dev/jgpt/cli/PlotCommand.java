package dev.jgpt.cli;

import dev.jgpt.cli.chart.CellGlyphs;
import dev.jgpt.cli.chart.Chart;
import dev.jgpt.cli.chart.SeriesPaint;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jgpt plot RUN...}: the curves of metrics.jsonl drawn in the terminal, several runs
 * overlaid. Only reads, so it may run while a run trains.
 */
@Command(
    name = "plot",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {"Chart a run's training and validation loss (or other metrics) in the terminal, from its "
        + "metrics.jsonl; several runs are drawn on the same axes."},
    footer = {"", "Examples:", "  jgpt plot runs/default", "  jgpt plot runs/a runs/b --x tokens",
        "  jgpt plot runs/default --metric lr,grad_norm --log-y", "  jgpt plot runs/default --ascii > loss.txt"})
final class PlotCommand implements Callable<Integer> {
  enum ColourWhen { auto, always, never }

  @Parameters(arity = "1..*", paramLabel = "RUN", description = "Run folders (each with a metrics.jsonl).")
  List<Path> runs;

  @Option(names = "--metric", split = ",", paramLabel = "NAME",
      description = "What to plot (comma list): loss (train and val, the default), train_loss, val_loss, val_bpb, lr, "
          + "grad_norm, tokens_per_s, ms_per_step. Metrics with other units get a chart each.")
  List<String> metric = List.of(Metric.LOSS);

  @Option(names = "--x", paramLabel = "AXIS", description = "step (default) or tokens (steps x batch x context x grad_accum).")
  RunMetrics.XAxis x = RunMetrics.XAxis.step;

  @Option(names = "--log-y", description = "Logarithmic y axis (values at or below 0 are left out).")
  boolean logY;

  @Option(names = "--width", paramLabel = "COLUMNS", description = "Width of the chart (default: the terminal's, else 80).")
  Integer width;

  @Option(names = "--height", paramLabel = "ROWS", description = "Rows of the plot area (default 15).")
  int height = 15;

  @Option(names = "--ascii", description = "Draw with ASCII characters only (default: braille dots where the output can show them).")
  boolean ascii;

  @Option(names = "--color", paramLabel = "WHEN",
      description = "auto (default: colours on a terminal, marker characters otherwise), always or never.")
  ColourWhen colour = ColourWhen.auto;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<Metric> metrics = Errors.usage(spec, () -> Metric.parse(metric));
    Chart.Layout layout = Errors.usage(spec, this::layout);
    List<RunMetrics> read = new ArrayList<>();
    for (Path run : runs) read.add(RunMetrics.read(run, x));
    PrintStream out = System.out;
    for (String line : MetricCharts.render(read, metrics, x, layout)) out.println(line);
    out.flush();
    return 0;
  }

  private Chart.Layout layout() {
    int columns = width != null ? width : StdoutTerminal.columns();
    if (width != null && width < Chart.MIN_WIDTH) throw new IllegalArgumentException("--width must be at least " + Chart.MIN_WIDTH);
    if (height < Chart.MIN_HEIGHT) throw new IllegalArgumentException("--height must be at least " + Chart.MIN_HEIGHT);
    CellGlyphs glyphs = ascii ? CellGlyphs.ASCII : CellGlyphs.bestFor(System.out.charset());
    boolean coloured = colour == ColourWhen.always || (colour == ColourWhen.auto && StdoutTerminal.isTerminal());
    return new Chart.Layout(Math.max(Chart.MIN_WIDTH, columns), height, glyphs, new SeriesPaint(coloured), logY);
  }
}
