package dev.jgpt.tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level BPE tokenizer: any text encodes, and decoding gives it back.
 *
 * <p>Immutable and thread-safe. Made by {@link BpeTrainer}, {@link #bytesOnly()}, or
 * {@link #load(Path, String)} from our own file, a tiktoken {@code .tiktoken} rank file, or a
 * GPT-2 style folder with {@code vocab.json} and {@code merges.txt}. With the GPT-2 (r50k) and
 * cl100k ranks it gives exactly tiktoken's ids.
 *
 * <p>Text is first cut into pieces by a split pattern ({@link Patterns}), then each piece's
 * bytes are merged by the vocabulary's rules. Lone surrogates in a Java string encode as
 * U+FFFD, and decoding invalid UTF-8 gives U+FFFD (as tiktoken); {@link #encodeBytes} and
 * {@link #decodeBytes} are lossless for any bytes.
 */
public final class Tokenizer {
  public static final String END_OF_TEXT = "<|endoftext|>";

  private final String pattern; // canonical name (gpt2, cl100k, o200k) or a regex
  private final Rule rule;
  private final byte[][] tokens; // (ordinary ids) bytes of each ordinary token, null for unused ids
  private final int[] merges; // MERGES: (left, right, result) triples in priority order; RANKS: empty
  private final Map<String, Integer> specials; // text -> id, in id order
  private final int vocabSize;
  private final BpeModel model;
  private final Splitter splitter;
  private final SpecialMatcher specialMatcher;
  private final int eotId;
  private volatile String hash; // computed on first use

  Tokenizer(String pattern, Rule rule, byte[][] tokens, int[] merges, Map<String, Integer> specials) {
    this.pattern = Patterns.canonical(pattern);
    this.rule = rule;
    this.tokens = tokens;
    this.merges = merges;
    this.specials = Collections.unmodifiableMap(checkedSpecials(specials, tokens));
    int size = tokens.length;
    for (int id : specials.values()) size = Math.max(size, id + 1);
    this.vocabSize = size;
    this.splitter = Patterns.splitter(this.pattern); // a bad regex fails here, before the costly part
    this.model = ModelBuilder.build(rule, tokens, merges, this.specials, size);
    this.specialMatcher = new SpecialMatcher(this.specials);
    this.eotId = this.specials.getOrDefault(END_OF_TEXT, -1);
  }

  private static Map<String, Integer> checkedSpecials(Map<String, Integer> specials, byte[][] tokens) {
    List<Map.Entry<String, Integer>> entries = new java.util.ArrayList<>(specials.entrySet());
    entries.sort(Map.Entry.comparingByValue());
    Map<String, Integer> sorted = new LinkedHashMap<>();
    Integer previous = null;
    for (Map.Entry<String, Integer> e : entries) {
      String text = e.getKey();
      int id = e.getValue();
      if (text.isEmpty()) throw new IllegalArgumentException("a special token cannot be empty");
      if (Utf8.hasLoneSurrogate(text)) throw new IllegalArgumentException("special token " + text + " is not valid Unicode");
      if (id < 0) throw new IllegalArgumentException("special token " + text + " has a negative id " + id);
      if (id < tokens.length && tokens[id] != null) {
        throw new IllegalArgumentException("special token " + text + " has id " + id + ", which an ordinary token already uses");
      }
      if (previous != null && previous == id) throw new IllegalArgumentException("two special tokens share the id " + id);
      previous = id;
      sorted.put(text, id);
    }
    return sorted;
  }

  /** Byte tokens 0..255 and {@code <|endoftext|>} as 256: no merges. */
  public static Tokenizer bytesOnly() {
    return fromMerges(Patterns.GPT2, new int[0][], List.of(END_OF_TEXT));
  }

  /**
   * A tokenizer with byte tokens 0..255, then one token per merge (merge i is id 256 + i, made
   * of the two ids in {@code mergePairs[i]}), then the special tokens.
   */
  static Tokenizer fromMerges(String pattern, int[][] mergePairs, List<String> specialTokens) {
    int n = 256 + mergePairs.length;
    byte[][] tokens = new byte[n][];
    for (int b = 0; b < 256; b++) tokens[b] = new byte[] {(byte) b};
    int[] triples = new int[3 * mergePairs.length];
    for (int m = 0; m < mergePairs.length; m++) {
      int left = mergePairs[m][0];
      int right = mergePairs[m][1];
      if (left < 0 || right < 0 || left >= 256 + m || right >= 256 + m) {
        throw new IllegalArgumentException("merge " + m + " refers to a token that does not exist yet");
      }
      byte[] joined = java.util.Arrays.copyOf(tokens[left], tokens[left].length + tokens[right].length);
      System.arraycopy(tokens[right], 0, joined, tokens[left].length, tokens[right].length);
      tokens[256 + m] = joined;
      triples[3 * m] = left;
      triples[3 * m + 1] = right;
      triples[3 * m + 2] = 256 + m;
    }
    Map<String, Integer> specials = new LinkedHashMap<>();
    for (String s : specialTokens) {
      if (specials.containsKey(s)) throw new IllegalArgumentException("special token " + s + " is given twice");
      specials.put(s, n + specials.size());
    }
    return new Tokenizer(pattern, Rule.MERGES, tokens, triples, specials);
  }

  // ---------------------------------------------------------------- files

  /** {@link #load(Path, String)} with the pattern the file names (GPT-2's for files that name none). */
  public static Tokenizer load(Path path) throws IOException {
    return load(path, null);
  }

  /**
   * Loads our own tokenizer file, a tiktoken {@code .tiktoken} rank file, or a folder (or either
   * file of it) with GPT-2's {@code vocab.json} and {@code merges.txt}; the format is detected
   * from the content.
   *
   * @param pattern split pattern name or regex; null: the one in our file, else {@code gpt2}.
   *     A non-null pattern overrides the one our file names.
   */
  public static Tokenizer load(Path path, String pattern) throws IOException {
    return TokenizerFiles.load(path, pattern);
  }

  /**
   * Writes GPT-2's {@code vocab.json} and {@code merges.txt} into {@code dir} (the form Hugging
   * Face's GPT2Tokenizer and llama.cpp's converters read), each atomically.
   */
  public void saveGpt2Vocab(Path dir) throws IOException {
    Gpt2VocabFiles.write(this, dir);
  }

  /**
   * Each id's token as GPT-2's vocab.json spells it (the byte-level alphabet, where byte 0x20 is
   * "Ġ"), special tokens as their text, null for ids a rank file leaves unused; vocabSize()
   * entries. For writers of other GPT-2 style formats (GGUF).
   */
  public String[] gpt2TokenTexts() {
    return Gpt2VocabFiles.tokenTexts(this);
  }

  /** Writes Hugging Face's one-file {@code tokenizer.json} (what PreTrainedTokenizerFast reads), atomically. */
  public void saveHfTokenizerJson(Path file) throws IOException {
    HfTokenizerJson.write(this, file);
  }

  /** GPT-2's merges.txt lines ("left right" in the byte-level alphabet), first merges first. */
  public List<String> gpt2Merges() {
    return Gpt2VocabFiles.mergeLines(this);
  }

  /** The (left, right, result) merge triples in priority order, or null for a rank-based tokenizer. */
  int[] mergeTriples() {
    return rule == Rule.MERGES ? merges : null;
  }

  /** Writes our own JSON tokenizer file, atomically (temporary file, then rename). */
  public void save(Path path) throws IOException {
    TokenizerFile.write(this, path);
  }

  // ---------------------------------------------------------------- encoding

  /** Encodes text; special-token text is ordinary text. */
  public int[] encode(String text) {
    return encode(text, SpecialMode.ORDINARY);
  }

  public int[] encode(String text, SpecialMode mode) {
    byte[] bytes = Utf8.encode(text);
    IntList out = new IntList(bytes.length / 3 + 16);
    encodeSegments(bytes, 0, bytes.length, mode, true, out);
    return out.toArray();
  }

  /**
   * Encodes raw bytes losslessly: valid UTF-8 runs are split and merged as text, each byte of
   * an invalid sequence becomes its own byte token, so {@code decodeBytes(encodeBytes(b))} is
   * {@code b} for every byte array. Special-token text is ordinary text.
   */
  public int[] encodeBytes(byte[] bytes, int offset, int length) {
    return encodeBytes(bytes, offset, length, SpecialMode.ORDINARY);
  }

  public int[] encodeBytes(byte[] bytes, int offset, int length, SpecialMode mode) {
    java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
    IntList out = new IntList(length / 3 + 16);
    encodeSegments(bytes, offset, offset + length, mode, false, out);
    return out.toArray();
  }

  private void encodeSegments(byte[] b, int from, int to, SpecialMode mode, boolean knownValid, IntList out) {
    BpeModel.Scratch scratch = new BpeModel.Scratch();
    Splitter.PieceConsumer sink = (s, e) -> model.encodePiece(b, s, e, out, scratch);
    int p = from;
    if (mode != SpecialMode.ORDINARY && !specialMatcher.isEmpty()) {
      long found;
      while ((found = specialMatcher.find(b, p, to)) >= 0) {
        int at = (int) (found >>> 32);
        int match = (int) found;
        if (mode == SpecialMode.DISALLOW) {
          throw new IllegalArgumentException("the text contains the special token " + specialMatcher.name(match)
              + "; allow special tokens, or encode it as ordinary text");
        }
        encodeText(b, p, at, knownValid, sink, out);
        out.add(specialMatcher.id(match));
        p = at + specialMatcher.length(match);
      }
    }
    encodeText(b, p, to, knownValid, sink, out);
  }

  private void encodeText(byte[] b, int from, int to, boolean knownValid, Splitter.PieceConsumer sink, IntList out) {
    if (knownValid) {
      if (from < to) splitter.split(b, from, to, sink);
      return;
    }
    int p = from;
    while (p < to) {
      int validEnd = Utf8.validPrefixEnd(b, p, to);
      if (validEnd > p) splitter.split(b, p, validEnd, sink);
      if (validEnd == to) break;
      int invalid = -Utf8.sequenceLength(b, validEnd, to); // the maximal ill-formed subpart
      for (int k = 0; k < invalid; k++) out.add(model.byteToId[b[validEnd + k] & 0xFF]);
      p = validEnd + invalid;
    }
  }

  // ---------------------------------------------------------------- decoding

  public byte[] decodeBytes(int[] ids) {
    return decodeBytes(ids, 0, ids.length);
  }

  public byte[] decodeBytes(int[] ids, int offset, int length) {
    java.util.Objects.checkFromIndexSize(offset, length, ids.length);
    int[] start = model.start;
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
      int id = ids[i];
      if (id < 0 || id >= vocabSize || start[id + 1] == start[id]) throw unknownId(id);
      total += start[id + 1] - start[id];
    }
    if (total > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("decoded text would exceed 2 GiB; decode it in parts");
    byte[] out = new byte[(int) total];
    byte[] data = model.data;
    int o = 0;
    for (int i = offset; i < offset + length; i++) {
      int s = start[ids[i]];
      int n = start[ids[i] + 1] - s;
      if (n <= 8) {
        for (int k = 0; k < n; k++) out[o + k] = data[s + k]; // cheaper than arraycopy's call for short tokens
      } else {
        System.arraycopy(data, s, out, o, n);
      }
      o += n;
    }
    return out;
  }

  /** Decodes to text; invalid UTF-8 becomes U+FFFD, as tiktoken does. */
  public String decode(int[] ids) {
    byte[] bytes = decodeBytes(ids);
    return Utf8.decode(bytes, 0, bytes.length);
  }

  /** For turning ids into text one at a time (the REPL): only complete characters come out. */
  public StreamingDecoder newStreamingDecoder() {
    return new StreamingDecoder(this);
  }

  private IllegalArgumentException unknownId(int id) {
    return new IllegalArgumentException("token id " + id + " is not in this tokenizer's vocabulary (ids 0.."
        + (vocabSize - 1) + ")");
  }

  // ---------------------------------------------------------------- vocabulary

  /** One more than the largest id, special tokens included. */
  public int vocabSize() {
    return vocabSize;
  }

  /** The id of a special token, or -1 if this tokenizer has no such special token. */
  public int specialId(String token) {
    return specials.getOrDefault(token, -1);
  }

  /** The id of {@code <|endoftext|>}, or -1. */
  public int eotId() {
    return eotId;
  }

  /** Special tokens and their ids, in id order. */
  public Map<String, Integer> specialTokens() {
    return specials;
  }

  public boolean isSpecial(int id) {
    // Every valid id that is not an ordinary token is a special token.
    return isValidId(id) && (id >= tokens.length || tokens[id] == null);
  }

  /** Whether {@code id} names a token (ordinary or special); a rank file may leave gaps. */
  public boolean isValidId(int id) {
    return id >= 0 && id < vocabSize && model.start[id + 1] > model.start[id];
  }

  /** The bytes of one token; a special token gives its text. */
  public byte[] tokenBytes(int id) {
    if (!isValidId(id)) throw unknownId(id);
    return java.util.Arrays.copyOfRange(model.data, model.start[id], model.start[id + 1]);
  }

  /** The split pattern: a built-in name (gpt2, cl100k, o200k) or a regular expression. */
  public String pattern() {
    return pattern;
  }

  /** Number of merge rules (for rank files: tokens longer than one byte). */
  public int mergeCount() {
    if (rule == Rule.MERGES) return merges.length / 3;
    int n = 0;
    for (byte[] t : tokens) if (t != null && t.length > 1) n++;
    return n;
  }

  /**
   * Hex SHA-256 of a canonical form (pattern regex, rule, token bytes, merges, special tokens):
   * equal for tokenizers that encode alike however they were loaded.
   */
  public String hash() {
    String h = hash;
    if (h == null) hash = h = TokenizerFile.canonicalHash(this);
    return h;
  }

  @Override
  public String toString() {
    return "Tokenizer[vocab " + vocabSize + ", pattern " + (Patterns.isBuiltIn(pattern) ? pattern : "custom")
        + ", " + specials.size() + " special]";
  }

  // package-private views for the file writers
  Rule rule() {
    return rule;
  }

  byte[][] tokens() {
    return tokens;
  }

  int[] merges() {
    return merges;
  }
}
