package dev.jgpt.transformer;

import java.util.List;

/**
 * Watches streamed text for stop strings. Text that could still turn out to be the start of a
 * stop string is held back, so nothing of a stop string is ever printed; the rest is released as
 * soon as it is safe.
 */
public final class StopStrings {
  private final List<String> stops;
  private final StringBuilder held = new StringBuilder();
  private boolean stopped;

  public StopStrings(List<String> stops) {
    for (String s : stops) if (s.isEmpty()) throw new IllegalArgumentException("a stop string must not be empty");
    this.stops = List.copyOf(stops);
  }

  /** True once a stop string has appeared; later text is ignored. */
  public boolean stopped() {
    return stopped;
  }

  /** Adds a piece of generated text and returns the part that is safe to print now. */
  public String push(String piece) {
    if (stopped) return "";
    held.append(piece);
    int earliest = -1;
    for (String s : stops) {
      int at = held.indexOf(s);
      if (at >= 0 && (earliest < 0 || at < earliest)) earliest = at;
    }
    if (earliest >= 0) {
      stopped = true;
      String out = held.substring(0, earliest);
      held.setLength(0);
      return out;
    }
    int keep = longestSuffixThatStartsAStop();
    String out = held.substring(0, held.length() - keep);
    held.delete(0, held.length() - keep);
    return out;
  }

  /** The text still held back (generation ended without completing a stop string). */
  public String flush() {
    String out = stopped ? "" : held.toString();
    held.setLength(0);
    return out;
  }

  private int longestSuffixThatStartsAStop() {
    String h = held.toString();
    int best = 0;
    for (String s : stops) {
      int max = Math.min(s.length() - 1, h.length());
      for (int len = max; len > best; len--) {
        if (h.regionMatches(h.length() - len, s, 0, len)) {
          best = len;
          break;
        }
      }
    }
    return best;
  }
}
