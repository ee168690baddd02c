package dev.jgpt.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Checks a vocabulary description and builds the {@link BpeModel} that encodes with it. */
final class ModelBuilder {
  private ModelBuilder() {}

  /**
   * @param tokens ordinary tokens by id (null: unused id)
   * @param merges for {@link Rule#MERGES}: flat (left, right, result) triples in priority order
   * @param specials special-token text to id
   * @param vocabSize one more than the largest id
   */
  static BpeModel build(Rule rule, byte[][] tokens, int[] merges, Map<String, Integer> specials, int vocabSize) {
    // data/start: every id's bytes, specials included (decoding treats them alike).
    byte[][] all = new byte[vocabSize][];
    System.arraycopy(tokens, 0, all, 0, tokens.length);
    for (Map.Entry<String, Integer> e : specials.entrySet()) all[e.getValue()] = e.getKey().getBytes(StandardCharsets.UTF_8);
    int[] start = new int[vocabSize + 1];
    for (int id = 0; id < vocabSize; id++) start[id + 1] = start[id] + (all[id] == null ? 0 : all[id].length);
    byte[] data = new byte[start[vocabSize]];
    for (int id = 0; id < vocabSize; id++) if (all[id] != null) System.arraycopy(all[id], 0, data, start[id], all[id].length);

    boolean[] ordinary = new boolean[tokens.length];
    for (int id = 0; id < tokens.length; id++) {
      ordinary[id] = tokens[id] != null;
      if (ordinary[id] && tokens[id].length == 0) {
        throw new IllegalArgumentException("token " + id + " is empty; every token needs at least one byte");
      }
    }
    TokenLookup lookup = null;
    if (rule == Rule.RANKS) {
      lookup = new TokenLookup(data, start, ordinary);
      for (int id = 0; id < tokens.length; id++) {
        if (tokens[id] != null && lookup.find(tokens[id], 0, tokens[id].length) != id) {
          throw new IllegalArgumentException("tokens " + lookup.find(tokens[id], 0, tokens[id].length) + " and " + id
              + " have the same bytes; a rank file must list each byte string once");
        }
      }
    }

    int[] byteToId = new int[256];
    java.util.Arrays.fill(byteToId, -1);
    for (int id = 0; id < tokens.length; id++) {
      byte[] t = tokens[id];
      if (t != null && t.length == 1 && byteToId[t[0] & 0xFF] < 0) byteToId[t[0] & 0xFF] = id;
    }
    for (int b = 0; b < 256; b++) {
      if (byteToId[b] < 0) {
        throw new IllegalArgumentException(String.format(
            "the vocabulary has no token for the byte 0x%02x, so some text could not be encoded; a byte-level BPE needs all 256 bytes", b));
      }
    }

    if (rule == Rule.RANKS) {
      BpeModel model = new BpeModel(byteToId, data, start, rankPairs(tokens, lookup));
      model.setWholeTokens(lookup); // tiktoken answers any piece that is a token with that token
      return model;
    }
    BpeModel model = new BpeModel(byteToId, data, start, mergePairs(tokens, merges));
    model.setWholeTokens(new TokenLookup(data, start, selfConsistent(model, tokens)));
    return model;
  }

  /** tiktoken ranks: a rule for every split of every token into two tokens; priority = rank = id. */
  private static PairTable rankPairs(byte[][] tokens, TokenLookup lookup) {
    PairTable pairs = new PairTable(2 * tokens.length); // GPT-2 and cl100k have 2.2 and 2.3 rules per token
    for (int id = 0; id < tokens.length; id++) {
      byte[] t = tokens[id];
      if (t == null) continue;
      for (int k = 1; k < t.length; k++) {
        int left = lookup.find(t, 0, k);
        if (left < 0) continue;
        int right = lookup.find(t, k, t.length);
        if (right >= 0) pairs.put(left, right, id, id);
      }
    }
    return pairs;
  }

  private static PairTable mergePairs(byte[][] tokens, int[] merges) {
    PairTable pairs = new PairTable(merges.length / 3 + 16);
    for (int m = 0; m < merges.length / 3; m++) {
      int left = merges[3 * m];
      int right = merges[3 * m + 1];
      int result = merges[3 * m + 2];
      for (int id : new int[] {left, right, result}) {
        if (id < 0 || id >= tokens.length || tokens[id] == null) {
          throw new IllegalArgumentException("merge " + m + " refers to token " + id + ", which the vocabulary lacks");
        }
      }
      byte[] l = tokens[left];
      byte[] r = tokens[right];
      byte[] joined = java.util.Arrays.copyOf(l, l.length + r.length);
      System.arraycopy(r, 0, joined, l.length, r.length);
      if (!java.util.Arrays.equals(joined, tokens[result])) {
        throw new IllegalArgumentException("merge " + m + " joins tokens " + left + " and " + right
            + " but its result, token " + result + ", has different bytes");
      }
      pairs.put(left, right, m, result);
    }
    return pairs;
  }

  /**
   * The tokens that merging their own bytes reproduces. Only these may answer a whole piece in
   * one lookup; for the rest (reachable only inside longer pieces, or duplicates) the lookup
   * would disagree with merging.
   */
  private static boolean[] selfConsistent(BpeModel model, byte[][] tokens) {
    boolean[] ok = new boolean[tokens.length];
    BpeModel.Scratch scratch = new BpeModel.Scratch();
    for (int id = 0; id < tokens.length; id++) {
      byte[] t = tokens[id];
      if (t == null) continue;
      ok[id] = t.length == 1 ? model.byteToId[t[0] & 0xFF] == id
          : model.merge(t, 0, t.length, scratch) == 1 && scratch.ids[0] == id;
    }
    return ok;
  }
}
