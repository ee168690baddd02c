package dev.jgpt.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level BPE written to be read: the specification the fast {@link BpeTrainer} and
 * {@link Tokenizer} are tested equal to (minbpe's RegexTokenizer, in Java). It recounts every
 * pair after every merge, so it is quadratic: for small texts and for reading, not for corpora.
 *
 * <p>Ids: 0..255 are the bytes, merge i makes id 256 + i. Special tokens are not ids here; in
 * training their text only separates documents (as in the fast trainer), in encoding it is
 * ordinary text (as {@link Tokenizer#encode(String)}).
 */
public final class BpeReference {
  /** Two adjacent ids that a merge joins into one. */
  public record Pair(int left, int right) {}

  private final Pattern split; // pre-tokenization: merges never cross the pieces it cuts
  private final List<Pair> merges; // merge i made id 256 + i; the lower i, the higher its priority
  private final Map<Pair, Integer> mergedId = new HashMap<>(); // pair -> the id its merge made
  private final List<byte[]> vocab = new ArrayList<>(); // id -> its bytes

  /** A tokenizer from a list of merges (merge i makes id 256 + i) and a split pattern. */
  public BpeReference(String pattern, List<Pair> merges) {
    this.split = Patterns.compile(Patterns.regex(pattern));
    this.merges = List.copyOf(merges);
    for (int b = 0; b < 256; b++) vocab.add(new byte[] {(byte) b});
    for (int i = 0; i < this.merges.size(); i++) {
      Pair p = this.merges.get(i);
      mergedId.put(p, 256 + i);
      vocab.add(concat(vocab.get(p.left()), vocab.get(p.right())));
    }
  }

  public List<Pair> merges() {
    return merges;
  }

  // ---------------------------------------------------------------- training

  /**
   * Learns up to {@code mergeCount} merges: count every adjacent pair in every piece, merge the
   * most frequent one everywhere, repeat. Ties go to the pair that occurs first in the text
   * (the counts keep first-seen order, and only a strictly larger count replaces the best).
   * Stops early when the best pair occurs fewer than {@code minFrequency} times.
   */
  public static BpeReference train(String text, String pattern, int mergeCount, int minFrequency,
      List<String> specialTokens) {
    Pattern split = Patterns.compile(Patterns.regex(pattern));
    List<List<Integer>> pieces = new ArrayList<>(); // every piece of the text, as ids, in text order
    for (String document : documents(text, specialTokens)) {
      for (String piece : pieces(split, document)) pieces.add(bytesAsIds(piece));
    }
    List<Pair> merges = new ArrayList<>();
    while (merges.size() < mergeCount) {
      Map<Pair, Integer> counts = pairCounts(pieces);
      Pair best = null;
      int bestCount = 0;
      for (Map.Entry<Pair, Integer> e : counts.entrySet()) {
        if (e.getValue() > bestCount) { // strictly larger: an equal count later in the text loses
          best = e.getKey();
          bestCount = e.getValue();
        }
      }
      if (best == null || bestCount < minFrequency) break;
      int id = 256 + merges.size();
      for (List<Integer> ids : pieces) replaceAll(ids, best, id);
      merges.add(best);
    }
    return new BpeReference(pattern, merges);
  }

  /** How often each adjacent pair occurs, in order of first occurrence. */
  private static Map<Pair, Integer> pairCounts(List<List<Integer>> pieces) {
    Map<Pair, Integer> counts = new LinkedHashMap<>();
    for (List<Integer> ids : pieces) {
      for (int k = 0; k + 1 < ids.size(); k++) counts.merge(new Pair(ids.get(k), ids.get(k + 1)), 1, Integer::sum);
    }
    return counts;
  }

  /** Replaces every occurrence of {@code pair} in {@code ids} by {@code id}, left to right, without overlaps. */
  private static void replaceAll(List<Integer> ids, Pair pair, int id) {
    for (int k = 0; k + 1 < ids.size(); k++) {
      if (ids.get(k) == pair.left() && ids.get(k + 1) == pair.right()) {
        ids.set(k, id);
        ids.remove(k + 1);
      }
    }
  }

  // ---------------------------------------------------------------- encoding and decoding

  /** Encodes text: split it into pieces, then merge inside each piece. */
  public int[] encode(String text) {
    List<Integer> out = new ArrayList<>();
    for (String piece : pieces(split, withoutLoneSurrogates(text))) out.addAll(encodePiece(piece));
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The piece's bytes, then again and again: of the adjacent pairs that have a merge, merge the
   * one learnt first (the lowest id), until no pair has one. The same order as applying the
   * merges one by one in the order they were learnt.
   */
  private List<Integer> encodePiece(String piece) {
    List<Integer> ids = bytesAsIds(piece);
    while (ids.size() >= 2) {
      Pair first = null;
      for (int k = 0; k + 1 < ids.size(); k++) {
        Pair p = new Pair(ids.get(k), ids.get(k + 1));
        if (mergedId.containsKey(p) && (first == null || mergedId.get(p) < mergedId.get(first))) first = p;
      }
      if (first == null) break;
      replaceAll(ids, first, mergedId.get(first));
    }
    return ids;
  }

  /** The bytes the ids stand for, concatenated. */
  public byte[] decodeBytes(int[] ids) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int id : ids) out.writeBytes(vocab.get(id));
    return out.toByteArray();
  }

  /** Decodes to text; bytes that are not valid UTF-8 become U+FFFD. */
  public String decode(int[] ids) {
    return new String(decodeBytes(ids), StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- pre-tokenization

  /** The text between special tokens (the earliest one first, the longest one at a position). */
  private static List<String> documents(String text, List<String> specialTokens) {
    if (specialTokens.isEmpty()) return List.of(withoutLoneSurrogates(text));
    List<String> longestFirst = new ArrayList<>(specialTokens);
    longestFirst.sort((a, b) -> b.length() - a.length());
    StringBuilder alternatives = new StringBuilder();
    for (String s : longestFirst) alternatives.append(alternatives.isEmpty() ? "" : "|").append(Pattern.quote(s));
    return List.of(Pattern.compile(alternatives.toString()).split(withoutLoneSurrogates(text), -1));
  }

  /**
   * The pieces the split pattern cuts: each match, and any text between matches as a piece of
   * its own (the built-in patterns match everything; a custom one may not, and the text stays).
   */
  private static List<String> pieces(Pattern split, String text) {
    List<String> out = new ArrayList<>();
    Matcher m = split.matcher(text);
    int covered = 0;
    while (m.find()) {
      if (m.end() == m.start()) continue;
      if (m.start() > covered) out.add(text.substring(covered, m.start()));
      out.add(m.group());
      covered = m.end();
    }
    if (covered < text.length()) out.add(text.substring(covered));
    return out;
  }

  /** Lone surrogates (not valid Unicode) become U+FFFD, as tiktoken does. */
  private static String withoutLoneSurrogates(String text) {
    return new String(Utf8.encode(text), StandardCharsets.UTF_8);
  }

  private static List<Integer> bytesAsIds(String piece) {
    List<Integer> ids = new ArrayList<>();
    for (byte b : piece.getBytes(StandardCharsets.UTF_8)) ids.add(b & 0xFF);
    return ids;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
