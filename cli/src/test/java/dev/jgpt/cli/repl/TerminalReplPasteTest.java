package dev.jgpt.cli.repl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.jline.reader.impl.LineReaderImpl;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long text pasted into the terminal REPL: the line reader takes it in time linear in its length.
 * An xterm-like terminal on pipes stands in for the real one.
 */
class TerminalReplPasteTest {
  private static final String TEXT = "To be, or not to be, that is the question: ".repeat(1400).substring(0, 60_000);

  /** A paste without bracketed-paste markers arrives as 60,000 keys; JLine redrew the line after each (minutes). */
  @Test
  void sixtyThousandPastedCharactersAreReadInSeconds(@TempDir Path dir) throws Exception {
    assertEquals(TEXT, readLine(TEXT + "\r", dir));
  }

  /** With the terminal's bracketed-paste markers the text is inserted in one step. */
  @Test
  void aBracketedPasteIsOneInsert(@TempDir Path dir) throws Exception {
    assertEquals(TEXT, readLine(LineReaderImpl.BRACKETED_PASTE_BEGIN + TEXT + LineReaderImpl.BRACKETED_PASTE_END + "\r", dir));
  }

  private static String readLine(String typed, Path dir) throws Exception {
    return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      PipedOutputStream keyboard = new PipedOutputStream();
      PipedInputStream in = new PipedInputStream(keyboard, typed.length() * 4 + 64);
      keyboard.write(typed.getBytes(StandardCharsets.UTF_8));
      keyboard.flush();
      try (Terminal terminal = new ExternalTerminal("test", "xterm-256color", in, new ByteArrayOutputStream(),
          StandardCharsets.UTF_8)) {
        terminal.setSize(new Size(120, 40));
        return TerminalRepl.lineReader(terminal, dir.resolve("history")).readLine("jgpt> ");
      } finally {
        close(keyboard);
      }
    }, "60,000 pasted characters should take a second or two; JLine's per-key redraw made it quadratic");
  }

  private static void close(PipedOutputStream s) {
    try {
      s.close();
    } catch (IOException e) {
      // the terminal is gone already
    }
  }
}
