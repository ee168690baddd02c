package dev.jgpt.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The unique pre-tokenization chunks of a corpus and how often each occurs, in order of first
 * occurrence: what BPE training works on. Memory grows with the number of unique chunks, not
 * with the corpus: feed it any amount of text with {@link #add(String)}, {@link #add(byte[],
 * int, int)} or {@link #addFile(Path)}.
 *
 * <p>Special-token text in the corpus (e.g. {@code <|endoftext|>} between documents) separates
 * chunks and is not learned. Bytes that are not valid UTF-8 are counted but form no chunk (they
 * always encode as single bytes). Not thread-safe.
 */
public final class ChunkCounts {
  /** Long texts are split for the built-in patterns into windows this long, at safe places. */
  private static final int WINDOW = 1 << 22;

  private final String pattern;
  private final Splitter splitter;
  private final SpecialMatcher specials;
  private final boolean windowed; // built-in hand-written splitter: safe to cut text at "letter\n"

  private byte[] pool = new byte[1 << 16]; // unique chunks' bytes, concatenated
  private int[] start = new int[1 << 10]; // (count + 1) chunk w is pool[start[w], start[w + 1])
  private long[] frequency = new long[1 << 10]; // (count)
  private int count;
  private int[] table = new int[1 << 12]; // open addressing: chunk index or -1
  private byte[] block; // read buffer of add(InputStream)
  private long chunkBytes; // bytes of all chunk occurrences
  private long looseBytes; // invalid UTF-8 bytes: one token each, never merged
  private long specialOccurrences;
  private long specialBytes;

  /**
   * @param pattern split pattern: gpt2, cl100k, o200k or a regular expression
   * @param specialTokens special-token text to cut out of the corpus
   */
  public ChunkCounts(String pattern, List<String> specialTokens) {
    this.pattern = Patterns.canonical(pattern);
    this.splitter = Patterns.splitter(this.pattern);
    Map<String, Integer> m = new LinkedHashMap<>();
    for (String s : specialTokens) {
      if (s.isEmpty()) throw new IllegalArgumentException("a special token cannot be empty");
      m.put(s, m.size());
    }
    this.specials = new SpecialMatcher(m);
    this.windowed = splitter instanceof Gpt2Splitter || splitter instanceof Cl100kSplitter;
    Arrays.fill(table, -1);
  }

  public String pattern() {
    return pattern;
  }

  /** Adds a text; lone surrogates count as U+FFFD. */
  public void add(String text) {
    int n = text.length();
    int pos = 0;
    while (pos < n) {
      int end = n;
      if (windowed && n - pos > WINDOW) end = safeCut(text, pos + WINDOW, n);
      byte[] bytes = Utf8.encode(pos == 0 && end == n ? text : text.substring(pos, end));
      addValid(bytes, 0, bytes.length);
      pos = end;
    }
  }

  /** Adds raw bytes (a whole document or a part cut at a line end); invalid UTF-8 is allowed. */
  public void add(byte[] bytes, int offset, int length) {
    java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
    int p = offset;
    int to = offset + length;
    while (p < to) {
      int validEnd = Utf8.validPrefixEnd(bytes, p, to);
      addValid(bytes, p, validEnd);
      if (validEnd == to) break;
      int invalid = -Utf8.sequenceLength(bytes, validEnd, to);
      looseBytes += invalid;
      p = validEnd + invalid;
    }
  }

  /** Adds a file, streamed in blocks (see {@link #add(InputStream)}), so any size fits. */
  public void addFile(Path path) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      add(in);
    }
  }

  /**
   * Adds one document read from a stream (not closed here). For the built-in patterns it is
   * read in blocks cut at places where pre-tokenization always ends a piece, so memory stays
   * bounded and the chunks are the same as for the whole text; a custom pattern reads it whole.
   */
  public void add(InputStream in) throws IOException {
    if (!windowed) {
      byte[] all = in.readAllBytes();
      add(all, 0, all.length);
      return;
    }
    if (block == null) block = new byte[WINDOW]; // reused: a corpus may be many small documents
    int filled = 0;
    while (true) {
      int n = in.readNBytes(block, filled, block.length - filled);
      filled += n;
      boolean eof = filled < block.length;
      int cut = eof ? filled : safeCut(block, filled);
      if (cut == 0 && !eof) { // no safe place in a whole block: grow it
        block = Arrays.copyOf(block, block.length * 2);
        continue;
      }
      add(block, 0, cut);
      System.arraycopy(block, cut, block, 0, filled - cut);
      filled -= cut;
      if (eof) break;
    }
  }

  /**
   * A place where both built-in patterns always end a piece and look no further: a newline
   * after an ASCII letter (the letter's piece ends there; the newline starts the next piece).
   */
  private static int safeCut(String text, int from, int end) {
    for (int i = Math.max(1, from); i < end; i++) {
      if (text.charAt(i) == '\n' && isAsciiLetter(text.charAt(i - 1))) return i;
    }
    return end;
  }

  /** The last safe cut in {@code b[0, end)}, or 0. */
  private static int safeCut(byte[] b, int end) {
    for (int i = end - 1; i >= 1; i--) {
      if (b[i] == '\n' && isAsciiLetter((char) b[i - 1])) return i;
    }
    return 0;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /** Counts the chunks of valid UTF-8, with special-token text cut out. */
  private void addValid(byte[] b, int from, int to) {
    Splitter.PieceConsumer sink = (s, e) -> countChunk(b, s, e);
    int p = from;
    if (!specials.isEmpty()) {
      long found;
      while ((found = specials.find(b, p, to)) >= 0) {
        int at = (int) (found >>> 32);
        if (at > p) splitter.split(b, p, at, sink);
        specialOccurrences++;
        specialBytes += specials.length((int) found);
        p = at + specials.length((int) found);
      }
    }
    if (to > p) splitter.split(b, p, to, sink);
  }

  private void countChunk(byte[] b, int s, int e) {
    chunkBytes += e - s;
    int hash = ByteHash.hash(b, s, e);
    int mask = table.length - 1;
    int slot = hash & mask;
    while (true) {
      int w = table[slot];
      if (w < 0) break;
      if (start[w + 1] - start[w] == e - s && Arrays.equals(pool, start[w], start[w + 1], b, s, e)) {
        frequency[w]++;
        return;
      }
      slot = (slot + 1) & mask;
    }
    // A new chunk: append its bytes to the pool.
    if (count + 2 > start.length) {
      start = Arrays.copyOf(start, start.length * 2);
      frequency = Arrays.copyOf(frequency, start.length);
    }
    int len = e - s;
    if (start[count] + len > pool.length) {
      long wanted = Math.max(2L * pool.length, (long) start[count] + len);
      if (wanted > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("the corpus has more than 2 GiB of distinct chunks; train on a sample of it");
      }
      pool = Arrays.copyOf(pool, (int) wanted);
    }
    System.arraycopy(b, s, pool, start[count], len);
    start[count + 1] = start[count] + len;
    frequency[count] = 1;
    table[slot] = count;
    count++;
    if (2 * count > table.length) rehash();
  }

  private void rehash() {
    int[] bigger = new int[table.length * 2];
    Arrays.fill(bigger, -1);
    int mask = bigger.length - 1;
    for (int w = 0; w < count; w++) {
      int slot = ByteHash.hash(pool, start[w], start[w + 1]) & mask;
      while (bigger[slot] >= 0) slot = (slot + 1) & mask;
      bigger[slot] = w;
    }
    table = bigger;
  }

  /** Number of distinct chunks. */
  public int uniqueChunks() {
    return count;
  }

  /** Bytes of text seen: chunks, special-token text and invalid bytes. */
  public long totalBytes() {
    return chunkBytes + looseBytes + specialBytes;
  }

  // ---- for the trainer
  byte[] pool() {
    return pool;
  }

  int[] starts() {
    return start;
  }

  long frequency(int w) {
    return frequency[w];
  }

  /** Tokens that training never touches: one per invalid byte and one per special token. */
  long fixedTokens() {
    return looseBytes + specialOccurrences;
  }
}
