package dev.jgpt.cli.repl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Feeds a REPL session from a pipe or file: one line at a time, a trailing backslash joins the
 * next line. A comment ('#' at the start) is always one line, so a saved session's transcript of
 * generated text (comments) cannot swallow the command after it.
 */
public final class PipeRepl {
  private PipeRepl() {}

  /** Reads {@code in} (UTF-8) to its end or until :quit. */
  public static void run(ReplSession session, InputStream in) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    StringBuilder pending = new StringBuilder();
    String line;
    while (!session.quitRequested() && (line = reader.readLine()) != null) {
      boolean comment = pending.isEmpty() && line.startsWith("#");
      if (line.endsWith("\\") && !comment) {
        pending.append(line, 0, line.length() - 1).append('\n');
        continue;
      }
      pending.append(line);
      session.handle(pending.toString());
      pending.setLength(0);
    }
    if (!pending.isEmpty() && !session.quitRequested()) session.handle(pending.toString());
  }
}
