package dev.jgpt.tokenizer;

import java.util.Arrays;

/**
 * Max-heap of candidate merges for training, ordered by count (highest first), then by first
 * occurrence in the corpus (chunk index, then byte position; earliest first), which is the
 * order minbpe's {@code max(stats, key=stats.get)} picks in. Entries may be stale; the trainer
 * checks them when they reach the top.
 */
final class PairQueue {
  private long[] count = new long[1024]; // (size) per entry
  private int[] chunk = new int[1024];
  private int[] position = new int[1024];
  private int[] pair = new int[1024];
  private int size;

  int size() {
    return size;
  }

  long topCount() {
    return count[0];
  }

  int topChunk() {
    return chunk[0];
  }

  int topPosition() {
    return position[0];
  }

  int topPair() {
    return pair[0];
  }

  void push(long c, int w, int pos, int p) {
    if (size == count.length) {
      int n = size * 2;
      count = Arrays.copyOf(count, n);
      chunk = Arrays.copyOf(chunk, n);
      position = Arrays.copyOf(position, n);
      pair = Arrays.copyOf(pair, n);
    }
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!before(c, w, pos, count[parent], chunk[parent], position[parent])) break;
      move(parent, i);
      i = parent;
    }
    set(i, c, w, pos, p);
  }

  void pop() {
    size--;
    if (size == 0) return;
    long c = count[size];
    int w = chunk[size];
    int pos = position[size];
    int p = pair[size];
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && before(count[child + 1], chunk[child + 1], position[child + 1], count[child], chunk[child], position[child])) {
        child++;
      }
      if (!before(count[child], chunk[child], position[child], c, w, pos)) break;
      move(child, i);
      i = child;
    }
    set(i, c, w, pos, p);
  }

  private static boolean before(long c1, int w1, int p1, long c2, int w2, int p2) {
    if (c1 != c2) return c1 > c2;
    if (w1 != w2) return w1 < w2;
    return p1 < p2;
  }

  private void move(int from, int to) {
    count[to] = count[from];
    chunk[to] = chunk[from];
    position[to] = position[from];
    pair[to] = pair[from];
  }

  private void set(int i, long c, int w, int pos, int p) {
    count[i] = c;
    chunk[i] = w;
    position[i] = pos;
    pair[i] = p;
  }
}
