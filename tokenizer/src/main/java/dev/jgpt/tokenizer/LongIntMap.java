package dev.jgpt.tokenizer;

import java.util.Arrays;

/** A growable open-addressing map from long keys to non-negative ints (absent: -1). */
final class LongIntMap {
  private long[] keys; // (capacity)
  private int[] values; // (capacity) -1 marks an empty slot
  private int mask;
  private int size;

  LongIntMap(int expected) {
    int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    keys = new long[capacity];
    values = new int[capacity];
    Arrays.fill(values, -1);
    mask = capacity - 1;
  }

  private static int hash(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 29));
  }

  int get(long key) {
    int slot = hash(key) & mask;
    while (values[slot] >= 0) {
      if (keys[slot] == key) return values[slot];
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  /** Maps {@code key} to {@code value} (non-negative), replacing any previous value. */
  void put(long key, int value) {
    if (2 * (size + 1) > keys.length) grow();
    int slot = hash(key) & mask;
    while (values[slot] >= 0) {
      if (keys[slot] == key) {
        values[slot] = value;
        return;
      }
      slot = (slot + 1) & mask;
    }
    keys[slot] = key;
    values[slot] = value;
    size++;
  }

  int size() {
    return size;
  }

  private void grow() {
    long[] oldKeys = keys;
    int[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new int[oldKeys.length * 2];
    Arrays.fill(values, -1);
    mask = keys.length - 1;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldValues[i] < 0) continue;
      int slot = hash(oldKeys[i]) & mask;
      while (values[slot] >= 0) slot = (slot + 1) & mask;
      keys[slot] = oldKeys[i];
      values[slot] = oldValues[i];
    }
  }
}
