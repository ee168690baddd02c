package dev.jgpt.tokenizer;

import java.util.Arrays;

/**
 * Finds the id of a token from its bytes. Tokens of up to 8 bytes (most of them) sit in a table
 * that holds their bytes packed in a long next to their id, so a lookup touches one cache line;
 * longer tokens are found by hash and checked against the vocabulary's bytes.
 */
final class TokenLookup {
  private final long[] shortSlots; // (2 * capacity) packed bytes, then length << 32 | id; length 0 = empty
  private final int shortMask;
  private final int[] longSlots; // (capacity) token id, or -1
  private final int longMask;
  private final byte[] data; // the vocabulary's token bytes, concatenated
  private final int[] start; // (vocab + 1) token id's bytes are data[start[id], start[id + 1])

  /** Indexes the ids for which {@code include[id]} holds (ids past its end: no; null: all non-empty). */
  TokenLookup(byte[] data, int[] start, boolean[] include) {
    this.data = data;
    this.start = start;
    int count = start.length - 1;
    int shortCount = 0;
    int longCount = 0;
    for (int id = 0; id < count; id++) {
      if (!included(id, include)) continue;
      if (start[id + 1] - start[id] <= 8) shortCount++;
      else longCount++;
    }
    int shortCapacity = capacityFor(shortCount);
    shortSlots = new long[2 * shortCapacity];
    shortMask = shortCapacity - 1;
    int longCapacity = capacityFor(longCount);
    longSlots = new int[longCapacity];
    Arrays.fill(longSlots, -1);
    longMask = longCapacity - 1;
    for (int id = 0; id < count; id++) {
      if (!included(id, include)) continue;
      int s = start[id];
      int len = start[id + 1] - s;
      if (len <= 8) {
        long packed = ByteHash.pack(data, s, len);
        int slot = ByteHash.mix(packed, len) & shortMask;
        while (shortSlots[2 * slot + 1] != 0) {
          if (shortSlots[2 * slot] == packed && (int) (shortSlots[2 * slot + 1] >>> 32) == len) break; // duplicate: first id wins
          slot = (slot + 1) & shortMask;
        }
        if (shortSlots[2 * slot + 1] == 0) {
          shortSlots[2 * slot] = packed;
          shortSlots[2 * slot + 1] = (long) len << 32 | id;
        }
      } else {
        int slot = ByteHash.hash(data, s, s + len) & longMask;
        while (longSlots[slot] >= 0) {
          if (equalsToken(longSlots[slot], data, s, s + len)) break;
          slot = (slot + 1) & longMask;
        }
        if (longSlots[slot] < 0) longSlots[slot] = id;
      }
    }
  }

  private boolean included(int id, boolean[] include) {
    return start[id + 1] > start[id] && (include == null || (id < include.length && include[id]));
  }

  private static int capacityFor(int count) {
    return Integer.highestOneBit(Math.max(16, count * 2 - 1)) << 1;
  }

  /** The id whose bytes are {@code b[from, to)}, or -1; {@code hash} is {@link ByteHash#hash}. */
  int find(byte[] b, int from, int to, int hash) {
    int len = to - from;
    if (len <= 8) {
      long packed = ByteHash.pack(b, from, len);
      int slot = hash & shortMask;
      while (true) {
        long meta = shortSlots[2 * slot + 1];
        if (meta == 0) return -1;
        if (shortSlots[2 * slot] == packed && (int) (meta >>> 32) == len) return (int) meta;
        slot = (slot + 1) & shortMask;
      }
    }
    int slot = hash & longMask;
    while (true) {
      int id = longSlots[slot];
      if (id < 0) return -1;
      if (equalsToken(id, b, from, to)) return id;
      slot = (slot + 1) & longMask;
    }
  }

  int find(byte[] b, int from, int to) {
    return find(b, from, to, ByteHash.hash(b, from, to));
  }

  private boolean equalsToken(int id, byte[] b, int from, int to) {
    int s = start[id];
    int e = start[id + 1];
    return e - s == to - from && ByteHash.equal(data, s, b, from, to - from);
  }
}
