package dev.jgpt.cli.repl;

import java.io.IOException;
import java.util.HashMap;
import org.jline.reader.impl.LineReaderImpl;
import org.jline.terminal.Terminal;
import org.jline.utils.NonBlockingReader;

/**
 * A JLine line reader that redraws the line only when no typed character is waiting.
 *
 * <p>JLine redraws the whole line after every key (highlighting, wrapping, the secondary
 * prompts: all O(length)), so text pasted into a terminal without bracketed paste arrives as
 * one key per character and costs O(length^2): 60,000 characters took minutes. While more input
 * is already there, the redraw waits for the last character; typing by hand looks the same.
 * Bracketed paste (JLine's default, where the terminal supports it) inserts a paste in one step
 * anyway.
 */
final class PasteFriendlyLineReader extends LineReaderImpl {
  /** How long to look for a next character before redrawing: far below what a typist notices. */
  private static final long PENDING_INPUT_WAIT_MS = 1;

  PasteFriendlyLineReader(Terminal terminal, String appName) {
    super(terminal, appName, new HashMap<>());
  }

  @Override
  public boolean redisplay() {
    if (inputPending()) return true;
    return super.redisplay();
  }

  private boolean inputPending() {
    try {
      NonBlockingReader in = getTerminal().reader();
      return in.peek(PENDING_INPUT_WAIT_MS) >= 0;
    } catch (IOException e) {
      return false; // then redraw as usual
    }
  }
}
