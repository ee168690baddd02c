package dev.jgpt.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on standard error for slow phases (reading a corpus, learning merges):
 * drawn only on a terminal, only once the phase has taken half a second, at most ten times a
 * second, and erased when done, so pipes and logs never see it (a phase stopped by Ctrl-C keeps
 * it and ends its line, see {@link #endLine}).
 */
final class TokenizerProgressBar {
  private static final String CLEAR_LINE = "\r\033[K";
  private static final long DELAY_NANOS = 500_000_000L;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintStream err;
  private final boolean enabled;
  private String phase = "";
  private long phaseStart = System.nanoTime();
  private long lastDraw;
  private boolean shown;

  TokenizerProgressBar(PrintStream err, boolean enabled) {
    this.err = err;
    this.enabled = enabled;
  }

  void phase(String name) {
    phase = name;
    phaseStart = System.nanoTime();
  }

  void update(long done, long total, String unit) {
    if (!enabled) return;
    long now = System.nanoTime();
    if (now - phaseStart < DELAY_NANOS || (now - lastDraw < REDRAW_NANOS && done < total)) return;
    lastDraw = now;
    double fraction = total <= 0 ? 0 : Math.min(1, (double) done / total);
    int width = 30;
    int filled = (int) Math.round(fraction * width);
    err.print(CLEAR_LINE + String.format(Locale.ROOT, "%s [%s%s] %3.0f%% %,d/%,d %s", phase, "=".repeat(filled),
        " ".repeat(width - filled), 100 * fraction, done, total, unit));
    err.flush();
    shown = true;
  }

  /** Leaves the bar as it is and moves to the next line (when a phase is stopped midway). */
  void endLine() {
    if (shown) {
      err.println();
      err.flush();
      shown = false;
    }
  }

  void clear() {
    if (shown) {
      err.print(CLEAR_LINE);
      err.flush();
      shown = false;
    }
  }
}
