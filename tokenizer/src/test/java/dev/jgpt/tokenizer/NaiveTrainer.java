package dev.jgpt.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * minbpe's RegexTokenizer.train, literally: recount every pair over every chunk instance after
 * each merge, take the most frequent (ties: first inserted, i.e. first in the text). The
 * specification the fast trainer is tested against; quadratic, for small texts only.
 */
final class NaiveTrainer {
  private NaiveTrainer() {}

  static List<int[]> merges(String text, String pattern, int mergeCount, int minFrequency) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    List<int[]> chunks = new ArrayList<>();
    Patterns.splitter(pattern).split(bytes, 0, bytes.length, (s, e) -> {
      int[] ids = new int[e - s];
      for (int k = 0; k < ids.length; k++) ids[k] = bytes[s + k] & 0xFF;
      chunks.add(ids);
    });
    List<int[]> merges = new ArrayList<>();
    for (int m = 0; m < mergeCount; m++) {
      Map<Long, Integer> stats = new LinkedHashMap<>();
      for (int[] ids : chunks) {
        for (int k = 0; k + 1 < ids.length; k++) stats.merge((long) ids[k] << 32 | ids[k + 1], 1, Integer::sum);
      }
      long best = -1;
      int bestCount = 0;
      for (Map.Entry<Long, Integer> e : stats.entrySet()) {
        if (e.getValue() > bestCount) {
          best = e.getKey();
          bestCount = e.getValue();
        }
      }
      if (best < 0 || bestCount < minFrequency) break;
      int left = (int) (best >>> 32);
      int right = (int) best;
      int id = 256 + m;
      for (int c = 0; c < chunks.size(); c++) {
        int[] ids = chunks.get(c);
        int[] out = new int[ids.length];
        int o = 0;
        for (int i = 0; i < ids.length; ) {
          if (i + 1 < ids.length && ids[i] == left && ids[i + 1] == right) {
            out[o++] = id;
            i += 2;
          } else {
            out[o++] = ids[i++];
          }
        }
        chunks.set(c, java.util.Arrays.copyOf(out, o));
      }
      merges.add(new int[] {left, right});
    }
    return merges;
  }
}
