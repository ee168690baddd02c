package dev.jgpt.cli;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.cpu.PeakFlops;
import dev.jgpt.transformer.TrainConfig;
import dev.jgpt.transformer.TrainConfigKey;
import dev.jgpt.transformer.TrainerListener;
import dev.jgpt.transformer.TrainerResult;
import dev.jgpt.transformer.run.TrainingRun;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What {@code jgpt train} prints around a {@link TrainingRun}: the settings before, a progress
 * listener for each model trained, and the summary after (with the loss chart and what to do
 * next). Ctrl-C requests reach the trainer through {@link TrainShutdownHook}.
 */
final class TrainReport implements TrainingRun.Output {
  private final PrintStream out;
  private final boolean terminal;
  private final TrainConfig config;
  private final Backend backend;
  private final int threads;
  private final TrainShutdownHook signals;

  TrainReport(PrintStream out, boolean terminal, TrainConfig config, Backend backend, int threads,
      TrainShutdownHook signals) {
    this.out = out;
    this.terminal = terminal;
    this.config = config;
    this.backend = backend;
    this.threads = threads;
    this.signals = signals;
  }

  @Override
  public TrainerListener progress() {
    return new TrainProgress(out, terminal, config.logInterval(), terminal ? peakGflops() : Double.NaN);
  }

  @Override
  public void line(String line) {
    out.println(line);
  }

  @Override
  public void onStopRequest(Runnable requestStop) {
    signals.watch(requestStop);
  }

  /** The CPU's FP32 peak (half a second of FMA loops) for the status line; NaN on other backends. */
  private double peakGflops() {
    if (!backend.name().equals("cpu")) return Double.NaN;
    return PeakFlops.measure(threads > 0 ? threads : Runtime.getRuntime().availableProcessors(), 100, 3);
  }

  /** "training runs/x with:" and every setting as key=value, wrapped at 100 columns. */
  static void printConfig(PrintStream out, TrainConfig c, Path runDir, boolean resuming) {
    out.println((resuming ? "resuming " : "training ") + runDir + " with:");
    StringBuilder line = new StringBuilder(" ");
    for (TrainConfigKey k : TrainConfigKey.values()) {
      Object v = c.get(k);
      boolean empty = (v instanceof String s && s.isEmpty()) || (v instanceof List<?> l && l.isEmpty());
      String item = " " + k.json() + "=" + (empty ? "-" : v);
      if (line.length() + item.length() > 100) {
        out.println(line);
        line = new StringBuilder(" ");
      }
      line.append(item);
    }
    out.println(line);
  }

  @Override
  public void finished(TrainerResult r, Path runDir) {
    out.println(r.message());
    if (r.failed()) return;
    String val = Double.isNaN(r.valLoss()) ? "" : String.format(Locale.ROOT, ", val loss %.4f (%.3f bits/byte), best %.4f at step %d",
        r.valLoss(), r.valBpb(), r.bestValLoss(), r.bestStep());
    out.println(String.format(Locale.ROOT, "step %d: train loss %.4f%s", r.step(), r.trainLoss(), val));
    if (!Double.isNaN(r.msPerStep())) {
      out.println(String.format(Locale.ROOT, "speed: %s tokens/s, %.1f ms/step (medians of this session); %s in total",
          TrainProgress.grouped(Math.round(r.tokensPerSecond())), r.msPerStep(), TrainProgress.duration(r.elapsedSeconds())));
    }
    TrainSummaryChart.print(out, runDir);
    out.println("run folder: " + runDir + " (continue: jgpt train --resume " + runDir + ")");
    Path parent = runDir.toAbsolutePath().getParent();
    out.println("next: ./jgpt repl --run " + runDir + " to talk to the model, ./jgpt plot " + runDir + " for its loss curves, "
        + "./jgpt serve --runs " + (parent == null ? "." : parent) + " to explore it in a browser");
  }
}
