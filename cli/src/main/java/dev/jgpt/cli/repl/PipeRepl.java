package dev.jgpt.cli.repl;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Feeds a REPL session from a pipe or file: one line at a time, a trailing backslash joins the
 * next line. A comment ('#' at the start) is always one line, so a saved session's transcript of
 * generated text (comments) cannot swallow the command after it.
 */
public final class PipeRepl {
  private PipeRepl() {}

  /**
   * Reads {@code in} to its end or until :quit. Lines are UTF-8; bytes that are not (a Latin-1
   * file) reach the session as {@link LosslessText} escapes, so :score counts the bytes given.
   */
  public static void run(ReplSession session, InputStream in) throws IOException {
    BufferedInputStream bytes = new BufferedInputStream(in);
    StringBuilder pending = new StringBuilder();
    String line;
    while (!session.quitRequested() && (line = readLine(bytes)) != null) {
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

  /** The next line without its "\n" or "\r\n", or null at the end of the input. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') line.write(b);
    if (b < 0 && line.size() == 0) return null;
    byte[] raw = line.toByteArray();
    int end = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
    return LosslessText.decode(raw, 0, end);
  }
}
