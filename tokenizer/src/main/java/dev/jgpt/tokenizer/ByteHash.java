package dev.jgpt.tokenizer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** A fast, well-mixed 32-bit hash of a byte range, reading eight bytes at a time. */
final class ByteHash {
  private ByteHash() {}

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long M = 0x9E3779B97F4A7C15L;

  static int hash(byte[] b, int start, int end) {
    long h = (end - start) * M;
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
}
