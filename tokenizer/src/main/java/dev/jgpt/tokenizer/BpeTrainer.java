package dev.jgpt.tokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * Learns byte-level BPE merges from a corpus.
 *
 * <p>Same merges as minbpe's RegexTokenizer (the most frequent adjacent pair, ties going to
 * the pair that occurs first in the text), computed near-linearly: pairs are counted once over
 * the unique chunks weighted by frequency; after each merge only the chunks that contain the
 * merged pair are rewritten and only the counts of pairs next to it change; a priority queue
 * picks the next pair. Deterministic: the same corpus and settings give the same merges.
 * {@link BpeReference} is the same training written plainly (recount, merge, repeat); the tests
 * hold the two equal.
 *
 * <p>The vocabulary is 256 byte tokens, then one token per merge, then the special tokens;
 * {@code vocabSize} counts all three (a size below 256 + specials gives no merges).
 */
public final class BpeTrainer {
  private BpeTrainer() {}

  /** Told after every merge; e.g. for a progress bar. */
  @FunctionalInterface
  public interface Progress {
    void merged(int done, int total);
  }

  /** The trained tokenizer and what training saw. */
  public record Result(Tokenizer tokenizer, int merges, long corpusBytes, long corpusTokens, int uniqueChunks) {
    /** Average bytes per token when the training corpus is encoded with the result. */
    public double bytesPerToken() {
      return corpusTokens == 0 ? 0 : (double) corpusBytes / corpusTokens;
    }
  }

  /** Trains on one text; see {@link #train(ChunkCounts, int, List, int, Progress)}. */
  public static Tokenizer train(String text, int vocabSize, String pattern, List<String> specialTokens,
      int minPairFrequency, Progress progress) {
    ChunkCounts counts = new ChunkCounts(pattern, specialTokens);
    counts.add(text);
    return train(counts, vocabSize, specialTokens, minPairFrequency, progress).tokenizer();
  }

  /**
   * @param vocabSize total vocabulary: 256 bytes + merges + special tokens (at least 256)
   * @param specialTokens appended after the merges, in this order
   * @param minPairFrequency a pair must occur at least this often to be merged (at least 1)
   * @param progress may be null
   * @throws IllegalArgumentException for an empty corpus, a vocabulary size below 256, or one
   *     larger than the corpus allows (no pair left that occurs often enough)
   */
  public static Result train(ChunkCounts counts, int vocabSize, List<String> specialTokens, int minPairFrequency,
      Progress progress) {
    if (vocabSize < 256) {
      throw new IllegalArgumentException("vocab size " + vocabSize + " is too small: byte-level BPE needs at least 256 (one token per byte)");
    }
    if (minPairFrequency < 1) throw new IllegalArgumentException("the minimum pair frequency must be at least 1, not " + minPairFrequency);
    if (counts.totalBytes() == 0) throw new IllegalArgumentException("the corpus is empty; give a file with some text");
    int target = Math.max(0, vocabSize - 256 - specialTokens.size());
    Run run = new Run(counts, target, minPairFrequency, progress);
    int[][] merges = run.merges();
    if (merges.length < target) {
      int possible = 256 + merges.length + specialTokens.size();
      throw new IllegalArgumentException("vocab size " + vocabSize + " is larger than this corpus allows: after " + merges.length
          + " merges no pair occurs " + (minPairFrequency > 1 ? "at least " + minPairFrequency + " times" : "any more")
          + "; use a vocab size of at most " + possible + (minPairFrequency > 1 ? ", a lower minimum frequency," : "")
          + " or more text");
    }
    Tokenizer tokenizer = Tokenizer.fromMerges(counts.pattern(), merges, specialTokens);
    return new Result(tokenizer, merges.length, counts.totalBytes(), run.tokenCount, counts.uniqueChunks());
  }

  /** One training run: the working state, discarded afterwards. */
  private static final class Run {
    private final int chunks;
    private final long[] frequency; // (chunks)
    private final int[] seqStart; // (chunks) chunk w's current ids are seq[seqStart[w], seqStart[w] + seqLength[w])
    private final int[] seqLength; // (chunks)
    private final int[] seq; // (corpus unique bytes) current token ids of every chunk
    private int[] tokenLength; // (256 + merges) bytes per token, for first-occurrence positions

    // pairs, by index
    private final LongIntMap pairIndex = new LongIntMap(1 << 16); // (left << 32 | right) -> pair index
    private long[] pairKey = new long[1 << 12];
    private long[] pairCount = new long[1 << 12];
    private int[][] pairChunks = new int[1 << 12][]; // ascending chunk indexes that have (or had) the pair
    private int[] pairChunkCount = new int[1 << 12];
    private int[] pairChunkHead = new int[1 << 12]; // chunks before this index no longer have the pair
    private int pairs;

    private final PairQueue queue = new PairQueue();
    private final int target;
    private final int minFrequency;
    private final Progress progress;
    long tokenCount; // the corpus encoded with the merges found (set by merges())
    private final long fixedTokens;

    // scratch for rewriting one chunk
    private int[] old = new int[64];
    private boolean[] merged = new boolean[64];
    private int[] newPairs = new int[64];
    private int newPairCount;

    Run(ChunkCounts counts, int target, int minFrequency, Progress progress) {
      this.chunks = counts.uniqueChunks();
      this.target = target;
      this.minFrequency = minFrequency;
      this.progress = progress;
      this.fixedTokens = counts.fixedTokens();
      int[] starts = counts.starts();
      byte[] pool = counts.pool();
      frequency = new long[chunks];
      seqStart = new int[chunks];
      seqLength = new int[chunks];
      seq = new int[starts[chunks]];
      for (int w = 0; w < chunks; w++) {
        frequency[w] = counts.frequency(w);
        seqStart[w] = starts[w];
        seqLength[w] = starts[w + 1] - starts[w];
      }
      for (int i = 0; i < seq.length; i++) seq[i] = pool[i] & 0xFF;
      tokenLength = new int[256 + target];
      Arrays.fill(tokenLength, 0, 256, 1);
    }

    int[][] merges() {
      countInitialPairs();
      int[][] merges = new int[target][];
      int done = 0;
      while (done < target) {
        int best = nextPair();
        if (best < 0 || pairCount[best] < minFrequency) break;
        int left = (int) (pairKey[best] >>> 32);
        int right = (int) pairKey[best];
        int id = 256 + done;
        tokenLength[id] = tokenLength[left] + tokenLength[right];
        apply(best, left, right, id);
        merges[done++] = new int[] {left, right};
        if (progress != null) progress.merged(done, target);
      }
      long tokens = fixedTokens;
      for (int w = 0; w < chunks; w++) tokens += frequency[w] * seqLength[w];
      tokenCount = tokens;
      return done == target ? merges : Arrays.copyOf(merges, done);
    }

    private void countInitialPairs() {
      for (int w = 0; w < chunks; w++) {
        int s = seqStart[w];
        for (int k = 0; k + 1 < seqLength[w]; k++) {
          addOccurrence(seq[s + k], seq[s + k + 1], w);
        }
      }
      for (int p = 0; p < pairs; p++) {
        int w = pairChunks[p][0];
        queue.push(pairCount[p], w, firstPosition(p, w), p);
      }
    }

    /**
     * The pair to merge next: pops stale entries (count or first occurrence changed since they
     * were pushed) and pushes them back corrected, until the top is exact. Entries only ever
     * overstate a pair's rank (counts only fall, first occurrences only move later), so an
     * exact top is the true best.
     */
    private int nextPair() {
      while (queue.size() > 0) {
        int p = queue.topPair();
        long c = queue.topCount();
        if (pairCount[p] == 0) {
          queue.pop();
          continue;
        }
        if (pairCount[p] != c) {
          int w = queue.topChunk();
          int pos = queue.topPosition();
          queue.pop();
          queue.push(pairCount[p], w, pos, p);
          continue;
        }
        int w = firstChunk(p);
        int pos = firstPosition(p, w);
        if (w != queue.topChunk() || pos != queue.topPosition()) {
          queue.pop();
          queue.push(c, w, pos, p);
          continue;
        }
        queue.pop();
        return p;
      }
      return -1;
    }

    /** The first chunk that still has pair p (chunks lose a pair for good once it is merged away). */
    private int firstChunk(int p) {
      int[] list = pairChunks[p];
      while (true) {
        int w = list[pairChunkHead[p]];
        if (firstPosition(p, w) >= 0) return w;
        pairChunkHead[p]++;
      }
    }

    /** Byte position of pair p's first occurrence in chunk w, or -1. */
    private int firstPosition(int p, int w) {
      int left = (int) (pairKey[p] >>> 32);
      int right = (int) pairKey[p];
      int s = seqStart[w];
      int pos = 0;
      for (int k = 0; k + 1 < seqLength[w]; k++) {
        if (seq[s + k] == left && seq[s + k + 1] == right) return pos;
        pos += tokenLength[seq[s + k]];
      }
      return -1;
    }

    /** Merges (left, right) into id in every chunk that has it, updating the neighbouring pair counts. */
    private void apply(int p, int left, int right, int id) {
      newPairCount = 0;
      int[] list = pairChunks[p];
      int listSize = pairChunkCount[p];
      for (int i = pairChunkHead[p]; i < listSize; i++) rewrite(list[i], left, right, id);
      if (pairCount[p] != 0) throw new IllegalStateException("pair count bookkeeping is off: " + pairCount[p]);
      pairChunks[p] = null; // never needed again
      for (int i = 0; i < newPairCount; i++) {
        int q = newPairs[i];
        int w = pairChunks[q][0];
        queue.push(pairCount[q], w, firstPosition(q, w), q);
      }
    }

    private void rewrite(int w, int left, int right, int id) {
      int s = seqStart[w];
      int n = seqLength[w];
      if (old.length < n) {
        old = new int[Math.max(n, 2 * old.length)];
        merged = new boolean[old.length];
      }
      System.arraycopy(seq, s, old, 0, n);
      long f = frequency[w];
      // Pass 1: merge left to right without overlaps, removing the old pairs that touch a merge.
      int o = 0;
      int lastMergeEnd = -1;
      for (int i = 0; i < n; ) {
        if (i + 1 < n && old[i] == left && old[i + 1] == right) {
          if (i > 0 && lastMergeEnd != i) removeOccurrence(old[i - 1], old[i], f);
          removeOccurrence(left, right, f);
          if (i + 2 < n) removeOccurrence(old[i + 1], old[i + 2], f);
          seq[s + o] = id;
          merged[o++] = true;
          i += 2;
          lastMergeEnd = i;
        } else {
          seq[s + o] = old[i];
          merged[o++] = false;
          i++;
        }
      }
      if (o == n) return; // the pair was gone from this chunk already
      seqLength[w] = o;
      // Pass 2: add the new pairs, each of which has the new token on one side.
      for (int j = 0; j < o; j++) {
        if (!merged[j]) continue;
        if (j > 0) addOccurrence(seq[s + j - 1], id, w);
        if (j + 1 < o && !merged[j + 1]) addOccurrence(id, seq[s + j + 1], w); // (id, id) counted once, above
      }
    }

    private void removeOccurrence(int left, int right, long f) {
      int p = pairIndex.get(PairTable.key(left, right));
      pairCount[p] -= f;
    }

    /** Counts one occurrence of (left, right) in chunk w (chunks come in ascending order). */
    private void addOccurrence(int left, int right, int w) {
      long key = PairTable.key(left, right);
      int p = pairIndex.get(key);
      if (p < 0) {
        p = newPair(key);
        if (left >= 256 || right >= 256) { // made by a merge (not the initial count): queue it after the merge
          if (newPairCount == newPairs.length) newPairs = Arrays.copyOf(newPairs, 2 * newPairs.length);
          newPairs[newPairCount++] = p;
        }
      }
      pairCount[p] += frequency[w];
      int size = pairChunkCount[p];
      int[] list = pairChunks[p];
      if (size == 0 || list[size - 1] != w) {
        if (size == list.length) pairChunks[p] = list = Arrays.copyOf(list, 2 * size);
        list[size] = w;
        pairChunkCount[p] = size + 1;
      }
    }

    private int newPair(long key) {
      if (pairs == pairKey.length) {
        int n = 2 * pairs;
        pairKey = Arrays.copyOf(pairKey, n);
        pairCount = Arrays.copyOf(pairCount, n);
        pairChunks = Arrays.copyOf(pairChunks, n);
        pairChunkCount = Arrays.copyOf(pairChunkCount, n);
        pairChunkHead = Arrays.copyOf(pairChunkHead, n);
      }
      int p = pairs++;
      pairKey[p] = key;
      pairChunks[p] = new int[2];
      pairIndex.put(key, p);
      return p;
    }
  }
}
