package dev.jgpt.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Tokens [from, to) of a parent sequence, without copying. */
final class TokenRange implements TokenData {
  private final TokenData parent;
  private final long from;
  private final long to;

  TokenRange(TokenData parent, long from, long to) {
    // Slices of slices point at the original, so a lookup is one hop.
    if (parent instanceof TokenRange range) {
      this.parent = range.parent;
      this.from = range.from + from;
      this.to = range.from + to;
    } else {
      this.parent = parent;
      this.from = from;
      this.to = to;
    }
  }

  @Override
  public long size() {
    return to - from;
  }

  @Override
  public int get(long index) {
    Objects.checkIndex(index, size());
    return parent.get(from + index);
  }

  @Override
  public void copy(long start, int[] dst, int dstOffset, int length) {
    Objects.checkFromIndexSize(start, length, size());
    parent.copy(from + start, dst, dstOffset, length);
  }

  @Override
  public long byteCount(long start, long end) {
    Objects.checkFromToIndex(start, end, size());
    return parent.byteCount(from + start, from + end);
  }

  @Override
  public List<TokenData> segments() {
    List<TokenData> parts = parent.segments();
    if (parts.size() == 1) return List.of(this);
    // The parts of the parent that overlap [from, to), each cut to the overlap.
    List<TokenData> overlap = new ArrayList<>();
    long offset = 0;
    for (TokenData part : parts) {
      long lo = Math.max(from, offset);
      long hi = Math.min(to, offset + part.size());
      if (lo < hi) overlap.add(part.slice(lo - offset, hi - offset));
      offset += part.size();
    }
    return overlap;
  }
}
