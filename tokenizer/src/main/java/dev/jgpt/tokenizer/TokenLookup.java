package dev.jgpt.tokenizer;

import java.util.Arrays;

/** Finds the id of a token from its bytes (open addressing over the vocabulary's byte ranges). */
final class TokenLookup {
  private final int[] slots; // (capacity) token id, or -1
  private final int mask;
  private final byte[] data; // the vocabulary's token bytes, concatenated
  private final int[] start; // (vocab + 1) token id's bytes are data[start[id], start[id + 1])

  /** Indexes the ids for which {@code include[id]} holds (ids past its end: no; null: all non-empty). */
  TokenLookup(byte[] data, int[] start, boolean[] include) {
    this.data = data;
    this.start = start;
    int count = start.length - 1;
    int capacity = Integer.highestOneBit(Math.max(16, count * 2 - 1)) << 1;
    slots = new int[capacity];
    Arrays.fill(slots, -1);
    mask = capacity - 1;
    for (int id = 0; id < count; id++) {
      if (start[id + 1] == start[id] || (include != null && (id >= include.length || !include[id]))) continue;
      int slot = ByteHash.hash(data, start[id], start[id + 1]) & mask;
      while (slots[slot] >= 0) {
        if (equalsToken(slots[slot], data, start[id], start[id + 1])) break; // duplicate bytes: first id wins
        slot = (slot + 1) & mask;
      }
      if (slots[slot] < 0) slots[slot] = id;
    }
  }

  /** The id whose bytes are {@code b[from, to)}, or -1; {@code hash} is {@link ByteHash#hash}. */
  int find(byte[] b, int from, int to, int hash) {
    int slot = hash & mask;
    while (true) {
      int id = slots[slot];
      if (id < 0) return -1;
      if (equalsToken(id, b, from, to)) return id;
      slot = (slot + 1) & mask;
    }
  }

  int find(byte[] b, int from, int to) {
    return find(b, from, to, ByteHash.hash(b, from, to));
  }

  private boolean equalsToken(int id, byte[] b, int from, int to) {
    int s = start[id];
    int e = start[id + 1];
    return e - s == to - from && Arrays.equals(data, s, e, b, from, to);
  }
}
