package dev.jgpt.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Finds special-token text in UTF-8 bytes: the earliest occurrence, the longest token there. */
final class SpecialMatcher {
  private final byte[][] texts; // longest first, so the first match at a position is the longest
  private final int[] ids;
  private final String[] names;
  private final boolean[] firstByte = new boolean[256];

  SpecialMatcher(Map<String, Integer> specials) {
    List<Map.Entry<String, Integer>> entries = new ArrayList<>(specials.entrySet());
    entries.sort(Comparator.comparingInt((Map.Entry<String, Integer> e) -> -e.getKey().length()));
    texts = new byte[entries.size()][];
    ids = new int[entries.size()];
    names = new String[entries.size()];
    for (int i = 0; i < entries.size(); i++) {
      names[i] = entries.get(i).getKey();
      texts[i] = names[i].getBytes(StandardCharsets.UTF_8);
      ids[i] = entries.get(i).getValue();
      firstByte[texts[i][0] & 0xFF] = true;
    }
  }

  boolean isEmpty() {
    return texts.length == 0;
  }

  /** {@code position << 32 | match} of the first special in {@code t[from, to)}, or -1. */
  long find(byte[] t, int from, int to) {
    for (int p = from; p < to; p++) {
      if (!firstByte[t[p] & 0xFF]) continue;
      for (int m = 0; m < texts.length; m++) {
        byte[] s = texts[m];
        if (p + s.length <= to && java.util.Arrays.equals(t, p, p + s.length, s, 0, s.length)) {
          return (long) p << 32 | m;
        }
      }
    }
    return -1;
  }

  int length(int match) {
    return texts[match].length;
  }

  int id(int match) {
    return ids[match];
  }

  String name(int match) {
    return names[match];
  }
}
