package dev.jgpt.tokenizer;

/**
 * The merge engine: token bytes, merge rules and the fast paths around them. Encodes one piece
 * (the output of pre-tokenization) into token ids.
 *
 * <p>Semantics are tiktoken's: repeatedly merge the adjacent pair whose rule has the lowest
 * priority, the leftmost one among equals, until no rule applies. A piece that is itself a
 * token (and that merging would turn into that token) is answered by one hash lookup.
 */
final class BpeModel {
  /** Pieces longer than this merge with a heap (O(n log n)); shorter ones with a simple scan. */
  static final int HEAP_THRESHOLD = 128;

  final int[] byteToId; // (256) id of each single byte
  final byte[] data; // every id's bytes, concatenated (specials: their UTF-8 text; gaps: nothing)
  final int[] start; // (vocabSize + 1) id's bytes are data[start[id], start[id + 1])
  final PairTable pairs;
  private TokenLookup whole; // the ids a piece may be answered with directly
  private final PieceCache cache = new PieceCache(1 << 16);

  BpeModel(int[] byteToId, byte[] data, int[] start, PairTable pairs) {
    this.byteToId = byteToId;
    this.data = data;
    this.start = start;
    this.pairs = pairs;
  }

  /** The tokens a piece may be answered with directly (set once, while building). */
  void setWholeTokens(TokenLookup lookup) {
    whole = lookup;
  }

  int tokenLength(int id) {
    return start[id + 1] - start[id];
  }

  /** Per-call work arrays, so encoding allocates nothing per piece. Not shared between threads. */
  static final class Scratch {
    int[] ids = new int[64];
    long[] rules = new long[64]; // rules[k]: packed rule of the pair (ids[k], ids[k + 1])
    int[] next = new int[0];
    int[] prev = new int[0];
    long[] heap = new long[0];

    void ensure(int n) {
      if (ids.length < n) {
        ids = new int[Math.max(n, ids.length * 2)];
        rules = new long[ids.length];
      }
    }
  }

  void encodePiece(byte[] t, int s, int e, IntList out, Scratch scratch) {
    int len = e - s;
    if (len == 1) {
      out.add(byteToId[t[s] & 0xFF]);
      return;
    }
    int hash = ByteHash.hash(t, s, e);
    int id = whole.find(t, s, e, hash);
    if (id >= 0) {
      out.add(id);
      return;
    }
    if (len > PieceCache.MAX_PIECE_BYTES) {
      int n = merge(t, s, e, scratch);
      out.addAll(scratch.ids, 0, n);
      return;
    }
    int[] cached = cache.get(t, s, e, hash);
    if (cached == null) {
      int n = merge(t, s, e, scratch);
      cached = java.util.Arrays.copyOf(scratch.ids, n);
      cache.put(t, s, e, hash, cached);
    }
    out.addAll(cached);
  }

  /** Merges {@code t[s, e)} into {@code scratch.ids[0, n)} and returns n. */
  int merge(byte[] t, int s, int e, Scratch scratch) {
    int n = e - s;
    scratch.ensure(n);
    int[] ids = scratch.ids;
    for (int k = 0; k < n; k++) ids[k] = byteToId[t[s + k] & 0xFF];
    return n > HEAP_THRESHOLD ? mergeWithHeap(ids, n, scratch) : mergeByScan(ids, n, scratch.rules);
  }

  private long rule(int left, int right) {
    long r = pairs.get(left, right);
    return r == PairTable.ABSENT ? Long.MAX_VALUE : r;
  }

  /** O(n^2) in the worst case, but the fastest for the short pieces real text is made of. */
  int mergeByScan(int[] ids, int n, long[] rules) {
    for (int k = 0; k < n - 1; k++) rules[k] = rule(ids[k], ids[k + 1]);
    while (n > 1) {
      int best = 0;
      long bestRule = rules[0];
      for (int k = 1; k < n - 1; k++) {
        if (rules[k] < bestRule) {
          bestRule = rules[k];
          best = k;
        }
      }
      if (bestRule == Long.MAX_VALUE) break;
      ids[best] = PairTable.result(bestRule);
      // Drop part best+1 and the rule of the pair (best+1, best+2).
      System.arraycopy(ids, best + 2, ids, best + 1, n - best - 2);
      System.arraycopy(rules, best + 2, rules, best + 1, Math.max(0, n - best - 3));
      n--;
      if (best < n - 1) rules[best] = rule(ids[best], ids[best + 1]);
      if (best > 0) rules[best - 1] = rule(ids[best - 1], ids[best]);
    }
    return n;
  }

  /**
   * O(n log n): parts form a linked list, candidate merges sit in a min-heap keyed by
   * (priority, position) and are checked when popped (lazy deletion). Same result as the scan.
   */
  int mergeWithHeap(int[] ids, int n, Scratch scratch) {
    if (scratch.next.length < n) {
      scratch.next = new int[n];
      scratch.prev = new int[n];
    }
    if (scratch.heap.length < 3 * n) {
      // n-1 initial candidates plus at most two per merge (n-1 merges): stale entries included.
      scratch.heap = new long[3 * n];
    }
    int[] next = scratch.next; // (n) index of the next live part, or -1
    int[] prev = scratch.prev; // (n) index of the previous live part, or -1; -2 marks a merged-away part
    long[] heap = scratch.heap; // (heapSize) priority << 32 | position
    int heapSize = 0;
    for (int k = 0; k < n; k++) {
      next[k] = k + 1 < n ? k + 1 : -1;
      prev[k] = k - 1;
    }
    for (int k = 0; k + 1 < n; k++) {
      long r = pairs.get(ids[k], ids[k + 1]);
      if (r != PairTable.ABSENT) heap[heapSize++] = (long) PairTable.priority(r) << 32 | k;
    }
    for (int k = heapSize / 2 - 1; k >= 0; k--) siftDown(heap, heapSize, k);
    while (heapSize > 0) {
      long top = heap[0];
      heap[0] = heap[--heapSize];
      siftDown(heap, heapSize, 0);
      int pos = (int) top;
      int priority = (int) (top >>> 32);
      if (prev[pos] == -2 || next[pos] < 0) continue;
      long r = pairs.get(ids[pos], ids[next[pos]]);
      if (r == PairTable.ABSENT || PairTable.priority(r) != priority) continue; // stale entry
      ids[pos] = PairTable.result(r);
      int gone = next[pos];
      next[pos] = next[gone];
      if (next[gone] >= 0) prev[next[gone]] = pos;
      prev[gone] = -2;
      if (prev[pos] >= 0) heapSize = pushRule(heap, heapSize, ids[prev[pos]], ids[pos], prev[pos]);
      if (next[pos] >= 0) heapSize = pushRule(heap, heapSize, ids[pos], ids[next[pos]], pos);
    }
    int count = 0;
    for (int k = 0; k >= 0; k = next[k]) ids[count++] = ids[k];
    return count;
  }

  private int pushRule(long[] heap, int size, int left, int right, int position) {
    long r = pairs.get(left, right);
    if (r == PairTable.ABSENT) return size;
    int i = size;
    long entry = (long) PairTable.priority(r) << 32 | position;
    heap[size++] = entry;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (heap[parent] <= entry) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = entry;
    return size;
  }

  private static void siftDown(long[] heap, int size, int i) {
    long entry = heap[i];
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && heap[child + 1] < heap[child]) child++;
      if (heap[child] >= entry) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = entry;
  }
}
