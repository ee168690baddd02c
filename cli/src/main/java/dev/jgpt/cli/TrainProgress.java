package dev.jgpt.cli;

import dev.jgpt.transformer.TrainerEvents;
import dev.jgpt.transformer.TrainerListener;
import dev.jgpt.transformer.TrainerResult;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Prints a run's progress: on a terminal one status line rewritten in place (step of total, loss,
 * val loss, lr, tokens/s, ms/step, GFLOP/s and % of the machine's peak, ETA) with evaluations and
 * samples as lines above it;
 * otherwise (a pipe, a log file, CI) plain lines every log_interval steps.
 */
final class TrainProgress implements TrainerListener {
  private static final String CLEAR_LINE = "\r\033[K";

  private final PrintStream out;
  private final boolean terminal;
  private final int logInterval;
  private final double peakGflops; // NaN when not measured
  private double flopsPerStep;
  private long stepsSeen;
  private double emaMs = Double.NaN; // smoothed ms/step for the ETA
  private double emaLoss = Double.NaN;
  private double lastValLoss = Double.NaN;
  private long lastDraw;
  private boolean statusShown;

  /** @param peakGflops this machine's FP32 peak for the "% of peak" figure; NaN to leave it out */
  TrainProgress(PrintStream out, boolean terminal, int logInterval, double peakGflops) {
    this.out = out;
    this.terminal = terminal;
    this.logInterval = logInterval;
    this.peakGflops = peakGflops;
  }

  /** Whether standard output is an interactive terminal (not a pipe or a file). */
  static boolean stdoutIsTerminal() {
    java.io.Console c = System.console();
    return c != null && c.isTerminal();
  }

  @Override
  public void started(TrainerEvents.Start s) {
    flopsPerStep = s.flopsPerStep();
    println(String.format(Locale.ROOT, "model: %s parameters, %d layers x %d wide, %d heads, context %d, vocab %d (%s)",
        grouped(s.parameters()), s.model().nLayer(), s.model().nEmbd(), s.model().nHead(), s.model().blockSize(),
        s.model().vocabSize(), s.backend()));
    if (s.startStep() > 0) println("resuming at step " + s.startStep());
  }

  @Override
  public void stepped(TrainerEvents.Step s) {
    // a running mean over the first 10 steps, then an exponential average: the first steps (JIT
    // warm-up) fade out quickly instead of dominating the ETA
    stepsSeen++;
    double alpha = Math.max(0.1, 1.0 / stepsSeen);
    emaMs = Double.isNaN(emaMs) ? s.msPerStep() : (1 - alpha) * emaMs + alpha * s.msPerStep();
    emaLoss = Double.isNaN(emaLoss) ? s.loss() : (1 - alpha) * emaLoss + alpha * s.loss();
    if (terminal) {
      long now = System.nanoTime();
      if (now - lastDraw < 100_000_000L && s.step() != s.maxIters()) return; // redraw at most 10x a second
      lastDraw = now;
      out.print(CLEAR_LINE + statusLine(s));
      out.flush();
      statusShown = true;
    } else if (s.step() % logInterval == 0 || s.step() == s.maxIters()) {
      out.println(statusLine(s));
    }
  }

  String statusLine(TrainerEvents.Step s) {
    int width = Long.toString(s.maxIters()).length();
    // smoothed over recent steps: one slow step (GC, another process) should not make the line jump
    double ms = Double.isNaN(emaMs) ? s.msPerStep() : emaMs;
    double tokensPerSecond = s.tokensPerSecond() * s.msPerStep() / ms;
    double eta = (s.maxIters() - s.step()) * ms / 1000;
    double gflops = flopsPerStep / (ms / 1000) / 1e9;
    String peak = Double.isFinite(peakGflops) ? String.format(Locale.ROOT, " (%.0f%% of peak)", 100 * gflops / peakGflops) : "";
    return String.format(Locale.ROOT, "step %" + width + "d/%d %3.0f%% | loss %.4f | val %s | lr %.2e | %s tok/s | %.1f ms/step | %.1f GFLOP/s%s | ETA %s",
        s.step(), s.maxIters(), 100.0 * s.step() / s.maxIters(), s.loss(),
        Double.isNaN(lastValLoss) ? "  -   " : String.format(Locale.ROOT, "%.4f", lastValLoss), s.lr(),
        grouped(Math.round(tokensPerSecond)), ms, gflops, peak, duration(eta));
  }

  @Override
  public void evaluated(TrainerEvents.Eval e) {
    lastValLoss = e.valLoss();
    println(String.format(Locale.ROOT, "step %d: val loss %.4f (%.3f bits/byte)%s, train loss %.4f (smoothed), eval %.1f s",
        e.step(), e.valLoss(), e.valBpb(), e.improved() ? ", best so far" : String.format(Locale.ROOT,
            ", best %.4f at step %d", e.bestValLoss(), e.bestStep()), emaLoss, e.evalMs() / 1000));
  }

  @Override
  public void sampled(long step, String text) {
    println("--- sample at step " + step + " ---");
    println(printable(text));
    println("---");
  }

  @Override
  public void saved(TrainerEvents.Saved s) {
    if (!terminal && s.what().equals("snapshot")) return;
    if (s.what().equals("best")) println("saved best model (step " + s.step() + ") to " + s.dir());
    else if (s.what().equals("checkpoint")) println("saved checkpoint (step " + s.step() + ") to " + s.dir());
  }

  @Override
  public void finished(TrainerResult r) {
    if (statusShown) {
      out.println();
      statusShown = false;
    }
  }

  /** Prints a whole line, moving the status line below it on a terminal. */
  private void println(String line) {
    if (terminal && statusShown) out.print(CLEAR_LINE);
    out.println(line);
    statusShown = false;
    out.flush();
  }

  /** Generated text with control characters (other than newline and tab) made visible. */
  static String printable(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    text.codePoints().forEach(c -> {
      if (c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0))) sb.appendCodePoint(c);
      else sb.append(String.format("\\x%02x", c));
    });
    return sb.toString();
  }

  static String grouped(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String duration(double seconds) {
    if (!Double.isFinite(seconds) || seconds < 0) return "-";
    long s = Math.round(seconds);
    if (s < 60) return s + "s";
    if (s < 3600) return (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
    return (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + "m";
  }
}
