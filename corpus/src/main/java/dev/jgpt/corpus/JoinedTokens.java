package dev.jgpt.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Runs of tokens one after another, e.g. a fold's training data: the text before and after the held-out fold. */
final class JoinedTokens implements TokenData {
  private final List<TokenData> parts;
  private final long[] starts; // starts[i] = index of parts[i]'s first token; starts[parts] = size

  JoinedTokens(List<TokenData> parts) {
    List<TokenData> flat = new ArrayList<>();
    for (TokenData part : parts) {
      for (TokenData segment : part.segments()) if (segment.size() > 0) flat.add(segment);
    }
    this.parts = List.copyOf(flat);
    this.starts = new long[this.parts.size() + 1];
    for (int i = 0; i < this.parts.size(); i++) starts[i + 1] = starts[i] + this.parts.get(i).size();
  }

  @Override
  public long size() {
    return starts[parts.size()];
  }

  @Override
  public int get(long index) {
    Objects.checkIndex(index, size());
    int p = partOf(index);
    return parts.get(p).get(index - starts[p]);
  }

  @Override
  public void copy(long from, int[] dst, int dstOffset, int length) {
    Objects.checkFromIndexSize(from, length, size());
    while (length > 0) {
      int p = partOf(from);
      int n = (int) Math.min(length, starts[p + 1] - from);
      parts.get(p).copy(from - starts[p], dst, dstOffset, n);
      from += n;
      dstOffset += n;
      length -= n;
    }
  }

  @Override
  public long byteCount(long from, long to) {
    Objects.checkFromToIndex(from, to, size());
    long bytes = 0;
    for (int p = 0; p < parts.size(); p++) {
      long lo = Math.max(from, starts[p]);
      long hi = Math.min(to, starts[p + 1]);
      if (lo < hi) bytes += parts.get(p).byteCount(lo - starts[p], hi - starts[p]);
    }
    return bytes;
  }

  @Override
  public List<TokenData> segments() {
    return parts;
  }

  /** The part holding {@code index} (0 <= index < size). */
  private int partOf(long index) {
    return RunStarts.runOf(starts, parts.size(), index);
  }
}
