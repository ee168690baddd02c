package dev.jgpt.tokenizer;

/**
 * Merge rules keyed by the ids of two adjacent tokens: (left, right) gives the merged token's id
 * and the rule's priority (lower merges first). Open addressing over a long key, no boxing.
 */
final class PairTable {
  static final long ABSENT = -1L;

  private long[] keys; // (capacity) left << 32 | right, or EMPTY
  private long[] values; // (capacity) priority << 32 | result
  private int mask;
  private int size;

  private static final long EMPTY = -1L; // no valid pair of non-negative ids packs to -1

  PairTable(int expected) {
    int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    keys = new long[capacity];
    values = new long[capacity];
    java.util.Arrays.fill(keys, EMPTY);
    mask = capacity - 1;
  }

  static long key(int left, int right) {
    return (long) left << 32 | (right & 0xFFFFFFFFL);
  }

  private static int hash(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 29));
  }

  /** Adds a rule; an existing rule for the same pair keeps the lower priority. */
  void put(int left, int right, int priority, int result) {
    if ((size + 1) * 2 > keys.length) grow();
    long k = key(left, right);
    int slot = hash(k) & mask;
    while (keys[slot] != EMPTY) {
      if (keys[slot] == k) {
        if (priority < (int) (values[slot] >>> 32)) values[slot] = pack(priority, result);
        return;
      }
      slot = (slot + 1) & mask;
    }
    keys[slot] = k;
    values[slot] = pack(priority, result);
    size++;
  }

  /** {@code priority << 32 | result} for the pair, or {@link #ABSENT}. */
  long get(int left, int right) {
    long k = key(left, right);
    int slot = hash(k) & mask;
    while (true) {
      long found = keys[slot];
      if (found == k) return values[slot];
      if (found == EMPTY) return ABSENT;
      slot = (slot + 1) & mask;
    }
  }

  private void grow() {
    long[] oldKeys = keys;
    long[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new long[oldKeys.length * 2];
    java.util.Arrays.fill(keys, EMPTY);
    mask = keys.length - 1;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] == EMPTY) continue;
      int slot = hash(oldKeys[i]) & mask;
      while (keys[slot] != EMPTY) slot = (slot + 1) & mask;
      keys[slot] = oldKeys[i];
      values[slot] = oldValues[i];
    }
  }

  int size() {
    return size;
  }

  static long pack(int priority, int result) {
    return (long) priority << 32 | (result & 0xFFFFFFFFL);
  }

  static int priority(long packed) {
    return (int) (packed >>> 32);
  }

  static int result(long packed) {
    return (int) packed;
  }
}
