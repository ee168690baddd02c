package dev.jgpt.corpus;

import java.util.Objects;

/** Token ids held in memory: small corpora, tests, prompts. */
public final class TokenArray implements TokenData {
  private final int[] tokens;
  private final TokenLengths lengths;

  public TokenArray(int[] tokens, TokenLengths lengths) {
    this.tokens = tokens;
    this.lengths = lengths;
  }

  @Override
  public long size() {
    return tokens.length;
  }

  @Override
  public int get(long index) {
    return tokens[Math.toIntExact(index)];
  }

  @Override
  public void copy(long from, int[] dst, int dstOffset, int length) {
    Objects.checkFromIndexSize(from, length, size());
    System.arraycopy(tokens, (int) from, dst, dstOffset, length);
  }

  @Override
  public long byteCount(long from, long to) {
    Objects.checkFromToIndex(from, to, size());
    long bytes = 0;
    for (int i = (int) from; i < to; i++) bytes += lengths.bytes(tokens[i]);
    return bytes;
  }
}
