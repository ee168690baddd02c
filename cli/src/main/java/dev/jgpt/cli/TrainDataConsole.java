package dev.jgpt.cli;

import dev.jgpt.transformer.run.TrainPipeline;
import java.io.PrintStream;
import java.util.Locale;

/**
 * What {@code jgpt train} prints while its data is assembled ({@link TrainPipeline}): the lines,
 * and on a terminal a progress bar, redrawn in place, while the token file is built.
 */
final class TrainDataConsole implements TrainPipeline.Output {
  private final PrintStream out;
  private final boolean terminal;

  TrainDataConsole(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  @Override
  public void line(String line) {
    out.println(line);
  }

  @Override
  public Progress tokenizing(String what) {
    if (terminal) return new Bar(out, what);
    return new Progress() { // a pipe or a log file gets no bar
      @Override
      public void update(long doneBytes, long totalBytes) {}

      @Override
      public void end() {}
    };
  }

  /** A progress bar for building the token file, redrawn in place. */
  static final class Bar implements Progress {
    private final PrintStream out;
    private final String what;
    private long lastDraw;
    private boolean drawn;

    Bar(PrintStream out, String what) {
      this.out = out;
      this.what = what;
    }

    @Override
    public void update(long done, long total) {
      long now = System.nanoTime();
      if (drawn && now - lastDraw < 100_000_000L && done < total) return;
      lastDraw = now;
      drawn = true;
      double f = total <= 0 ? 1 : Math.min(1, (double) done / total);
      int filled = (int) Math.round(f * 30);
      out.print(String.format(Locale.ROOT, "\r\033[K%s [%s%s] %3.0f%% of %.1f MB", what, "#".repeat(filled),
          " ".repeat(30 - filled), f * 100, total / 1e6));
      out.flush();
    }

    /** Ends the bar's line when one was drawn (nothing is drawn when the token file is reused). */
    @Override
    public void end() {
      if (drawn) out.println();
      drawn = false;
    }
  }
}
