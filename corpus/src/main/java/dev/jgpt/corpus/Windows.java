package dev.jgpt.corpus;

import java.util.List;

/**
 * All windows of T+1 consecutive tokens that lie inside one segment of the data, numbered
 * 0..count-1 in order; window w gives inputs = tokens [s, s+T) and targets = tokens [s+1, s+T+1).
 */
final class Windows {
  private final List<TokenData> segments;
  private final long[] firstWindow; // firstWindow[i] = number of the first window in segments[i]; [n] = count
  private final int blockSize;

  Windows(TokenData data, int blockSize, String what) {
    if (blockSize < 1) throw new IllegalArgumentException("block size must be at least 1, got " + blockSize);
    this.blockSize = blockSize;
    this.segments = data.segments();
    this.firstWindow = new long[segments.size() + 1];
    long longest = 0;
    for (int i = 0; i < segments.size(); i++) {
      long size = segments.get(i).size();
      longest = Math.max(longest, size);
      firstWindow[i + 1] = firstWindow[i] + Math.max(0, size - blockSize);
    }
    if (count() == 0) {
      String where = segments.size() > 1 ? " in its longest contiguous part" : "";
      throw new IllegalArgumentException(what + " has " + longest + " tokens" + where + ", fewer than block size + 1 = "
          + (blockSize + 1) + "; use a larger corpus or a smaller --block-size"
          + (segments.size() > 1 ? " or fewer --folds" : ""));
    }
  }

  long count() {
    return firstWindow[segments.size()];
  }

  int blockSize() {
    return blockSize;
  }

  /** inputs[row*T .. row*T+T) and targets[row*T .. row*T+T) = window w. */
  void fill(long w, int[] inputs, int[] targets, int row) {
    int s = segmentOf(w);
    long start = w - firstWindow[s];
    TokenData segment = segments.get(s);
    segment.copy(start, inputs, row * blockSize, blockSize);
    segment.copy(start + 1, targets, row * blockSize, blockSize);
  }

  /** Bytes of text the targets of window w decode to. */
  long targetBytes(long w) {
    int s = segmentOf(w);
    long start = w - firstWindow[s];
    return segments.get(s).byteCount(start + 1, start + 1 + blockSize);
  }

  private int segmentOf(long w) {
    return RunStarts.runOf(firstWindow, segments.size(), w);
  }
}
