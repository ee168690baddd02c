package dev.jgpt.tokenizer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** A fast, well-mixed 32-bit hash of a byte range, reading eight bytes at a time. */
final class ByteHash {
  private ByteHash() {}

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long M = 0x9E3779B97F4A7C15L;

  /** Hash of {@code b[start, end)}; ranges of up to 8 bytes hash as {@code mix(pack(...), length)}. */
  static int hash(byte[] b, int start, int end) {
    int len = end - start;
    if (len <= 8) return mix(pack(b, start, len), len);
    long h = len * M;
    int i = start;
    for (; i + 8 <= end; i += 8) {
      h = Long.rotateLeft(h ^ (long) LONGS.get(b, i), 29) * M;
    }
    if (i < end) {
      long tail = 0;
      for (int shift = 0; i < end; i++, shift += 8) tail |= (b[i] & 0xFFL) << shift;
      h = Long.rotateLeft(h ^ tail, 29) * M;
    }
    h ^= h >>> 32;
    return (int) h;
  }

  /** Up to 8 bytes packed little-endian into a long (zeros above). */
  static long pack(byte[] b, int start, int len) {
    if (start + 8 <= b.length) {
      long word = (long) LONGS.get(b, start);
      return len == 8 ? word : word & ((1L << (8 * len)) - 1);
    }
    long v = 0;
    for (int i = 0; i < len; i++) v |= (b[start + i] & 0xFFL) << (8 * i);
    return v;
  }

  /** A well-mixed 32-bit hash of packed bytes and their count. */
  static int mix(long packed, int len) {
    long h = (packed ^ ((long) len << 59)) * M;
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    return (int) (h ^ (h >>> 32));
  }

  /**
   * Whether {@code a[aFrom, aFrom+len)} equals {@code b[bFrom, bFrom+len)}. Word-at-a-time for
   * short ranges: Arrays.equals' vectorized mismatch costs more to set up than a token takes.
   */
  static boolean equal(byte[] a, int aFrom, byte[] b, int bFrom, int len) {
    if (len > 32) return java.util.Arrays.equals(a, aFrom, aFrom + len, b, bFrom, bFrom + len);
    int i = 0;
    for (; i + 8 <= len; i += 8) {
      if ((long) LONGS.get(a, aFrom + i) != (long) LONGS.get(b, bFrom + i)) return false;
    }
    for (; i < len; i++) {
      if (a[aFrom + i] != b[bFrom + i]) return false;
    }
    return true;
  }
}
