package dev.jgpt.tokenizer;

import java.util.Arrays;

/**
 * A bounded cache from a piece's bytes to its token ids, for pieces that are not single tokens
 * (repeated words that need merging). Direct-mapped: a new entry replaces whatever shared its
 * slot. Safe for any number of threads without locks: entries are immutable and published
 * through final fields, a racing writer only loses an entry.
 */
final class PieceCache {
  static final int MAX_PIECE_BYTES = 64;

  private record Entry(byte[] key, int[] ids) {}

  private final Entry[] slots;
  private final int mask;

  PieceCache(int capacity) {
    int c = Integer.highestOneBit(Math.max(16, capacity));
    slots = new Entry[c];
    mask = c - 1;
  }

  int[] get(byte[] b, int from, int to, int hash) {
    Entry e = slots[hash & mask];
    if (e == null) return null;
    byte[] k = e.key;
    return k.length == to - from && ByteHash.equal(k, 0, b, from, k.length) ? e.ids : null;
  }

  void put(byte[] b, int from, int to, int hash, int[] ids) {
    slots[hash & mask] = new Entry(Arrays.copyOfRange(b, from, to), ids);
  }
}
