package dev.jgpt.cli.repl;

import java.util.ArrayList;
import java.util.List;

/** Small text-layout helpers for the REPL's output: visible widths, wrapping to the terminal, counts. */
final class Layout {
  private Layout() {}

  /** Columns {@code s} takes on a terminal: code points, not counting ANSI colour codes. */
  static int visibleLength(String s) {
    String plain = s.replaceAll("\u001b\\[[0-9;]*m", "");
    return plain.codePointCount(0, plain.length());
  }

  /**
   * {@code items} joined by single spaces into lines of at most {@code width} columns (an item is
   * never split; one wider than the line gets a line of its own). Every line starts with
   * {@code indent}.
   */
  static List<String> wrap(List<String> items, int width, String indent) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    int used = 0;
    for (String item : items) {
      int n = visibleLength(item);
      if (used > 0 && used + 1 + n > width) {
        lines.add(line.toString());
        line.setLength(0);
        used = 0;
      }
      if (used == 0) {
        line.append(indent);
        used = visibleLength(indent);
      } else {
        line.append(' ');
        used++;
      }
      line.append(item);
      used += n;
    }
    if (used > 0) lines.add(line.toString());
    return lines;
  }

  /** "1 token", "2 tokens", "0 tokens": a count with its noun in the singular or plural. */
  static String count(long n, String noun) {
    return n + " " + (n == 1 ? noun : noun + "s");
  }
}
