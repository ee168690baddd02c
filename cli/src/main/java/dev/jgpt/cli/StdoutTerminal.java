package dev.jgpt.cli;

import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Whether standard output is a terminal, and how wide it is. The system property
 * {@code jgpt.terminal} ({@code true}/{@code false}) overrides the check, so tests (and
 * scripts that want the terminal's output in a file) can see what a terminal gets.
 */
final class StdoutTerminal {
  private StdoutTerminal() {}

  static final String PROPERTY = "jgpt.terminal";
  /** The width of a pipe, a file, or a terminal that does not say. */
  static final int DEFAULT_COLUMNS = 80;

  static boolean isTerminal() {
    String forced = System.getProperty(PROPERTY);
    if (forced != null) return Boolean.parseBoolean(forced);
    return TrainProgress.stdoutIsTerminal();
  }

  /** The terminal's columns as JLine reads them, or 80 when stdout is not a real terminal. */
  static int columns() {
    if (System.getProperty(PROPERTY) != null || !TrainProgress.stdoutIsTerminal()) return DEFAULT_COLUMNS;
    // JNI first, as the REPL does: the quickest to open; a terminal that cannot be opened is just 80 wide
    try (Terminal terminal = TerminalBuilder.builder().system(true).dumb(true).providers("jni,exec,ffm").build()) {
      int width = terminal.getWidth();
      return width > 0 ? width : DEFAULT_COLUMNS;
    } catch (Exception | LinkageError e) {
      return DEFAULT_COLUMNS;
    }
  }
}
