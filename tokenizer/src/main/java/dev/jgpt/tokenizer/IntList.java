package dev.jgpt.tokenizer;

import java.util.Arrays;

/** A growable int array (token ids) without boxing. */
final class IntList {
  private int[] data;
  private int size;

  IntList(int capacity) {
    data = new int[Math.max(8, capacity)];
  }

  void add(int v) {
    if (size == data.length) data = Arrays.copyOf(data, data.length * 2);
    data[size++] = v;
  }

  void addAll(int[] values, int from, int count) {
    if (size + count > data.length) data = Arrays.copyOf(data, Math.max(data.length * 2, size + count));
    System.arraycopy(values, from, data, size, count);
    size += count;
  }

  void addAll(int[] values) {
    addAll(values, 0, values.length);
  }

  int size() {
    return size;
  }

  int get(int i) {
    return data[i];
  }

  int[] toArray() {
    return Arrays.copyOf(data, size);
  }
}
