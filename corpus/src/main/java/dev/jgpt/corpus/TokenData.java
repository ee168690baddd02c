package dev.jgpt.corpus;

import java.util.List;
import java.util.Objects;

/**
 * A read-only sequence of token ids indexed by long (a token file, a split of one, an array).
 *
 * <p>{@link #segments()} are the contiguous runs it is made of: a fold's training data is the
 * text before the validation fold and the text after it, and a window of T+1 tokens must lie
 * inside one run, never across the gap.
 */
public interface TokenData {
  long size();

  int get(long index);

  /** dst[dstOffset .. dstOffset+length) = tokens [from, from+length). */
  default void copy(long from, int[] dst, int dstOffset, int length) {
    Objects.checkFromIndexSize(from, length, size());
    for (int i = 0; i < length; i++) dst[dstOffset + i] = get(from + i);
  }

  /** Bytes of source text that tokens [from, to) decode to (the separator counts 0). */
  long byteCount(long from, long to);

  default long byteCount() {
    return byteCount(0, size());
  }

  /** Tokens [from, to) as a view. */
  default TokenData slice(long from, long to) {
    Objects.checkFromToIndex(from, to, size());
    return new TokenRange(this, from, to);
  }

  /** The contiguous runs, in order, that this sequence is made of (itself, unless it joins runs). */
  default List<TokenData> segments() {
    return List.of(this);
  }

  /** The runs one after another, each kept a separate segment. */
  static TokenData join(List<TokenData> parts) {
    return new JoinedTokens(parts);
  }
}
