package dev.jgpt.tokenizer;

import dev.jgpt.common.AtomicFile;
import dev.jgpt.common.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes GPT-2 style {@code vocab.json} (token in the byte-level alphabet -> id) plus
 * {@code merges.txt} (one "left right" merge per line, first merges first). Tokens like
 * {@code <|endoftext|>} that no merge produces become special tokens.
 */
final class Gpt2VocabFiles {
  private Gpt2VocabFiles() {}

  static Tokenizer read(String vocabJson, String mergesTxt, String source, String pattern) {
    Map<String, Object> vocab;
    try {
      vocab = Json.parseObject(vocabJson);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + "/vocab.json: " + e.getMessage());
    }
    return read(vocab, List.of(mergesTxt.split("\n", -1)), source + "/vocab.json", source + "/merges.txt", pattern);
  }

  /**
   * The tokenizer of a vocabulary (token text in the byte-level alphabet -> id) and merge lines
   * ("left right", first merges first; a "#version" first line and blank lines are skipped).
   * {@code vocabSource} and {@code mergesSource} name where they came from in errors.
   */
  static Tokenizer read(Map<String, Object> vocab, List<String> mergeLines, String vocabSource, String mergesSource,
      String pattern) {
    Map<String, Integer> idOf = new HashMap<>();
    int maxId = -1;
    for (Map.Entry<String, Object> e : vocab.entrySet()) {
      if (!(e.getValue() instanceof Long v) || v < 0 || v > Integer.MAX_VALUE - 1) {
        throw new IllegalArgumentException(vocabSource + ": the id of " + e.getKey() + " should be a non-negative integer");
      }
      idOf.put(e.getKey(), (int) (long) v);
      maxId = Math.max(maxId, (int) (long) v);
    }
    List<int[]> merges = new ArrayList<>();
    Set<Integer> produced = new HashSet<>();
    int lineNo = 0;
    for (String line : mergeLines) {
      lineNo++;
      line = line.replace("\r", "");
      if (line.isBlank() || (lineNo == 1 && line.startsWith("#version"))) continue;
      String[] parts = line.split(" ");
      if (parts.length != 2) {
        throw new IllegalArgumentException(mergesSource + ": line " + lineNo + " should be two tokens separated by one space");
      }
      Integer left = idOf.get(parts[0]);
      Integer right = idOf.get(parts[1]);
      Integer result = idOf.get(parts[0] + parts[1]);
      if (left == null || right == null || result == null) {
        throw new IllegalArgumentException(mergesSource + ": line " + lineNo + " (" + line
            + ") uses or makes a token that the vocabulary lacks");
      }
      merges.add(new int[] {left, right, result});
      produced.add(result);
    }
    byte[][] tokens = new byte[maxId + 1][];
    Map<String, Integer> specials = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> e : idOf.entrySet()) {
      String text = e.getKey();
      int id = e.getValue();
      boolean looksSpecial = text.length() > 4 && text.startsWith("<|") && text.endsWith("|>") && !produced.contains(id);
      byte[] bytes = ByteLevel.decode(text);
      if (looksSpecial || bytes == null) {
        if (produced.contains(id)) {
          throw new IllegalArgumentException(vocabSource + ": token " + id + " has characters outside GPT-2's byte-level alphabet");
        }
        specials.put(text, id);
      } else {
        if (tokens[id] != null) throw new IllegalArgumentException(vocabSource + ": id " + id + " is used twice");
        tokens[id] = bytes;
      }
    }
    int[] triples = new int[3 * merges.size()];
    for (int i = 0; i < merges.size(); i++) System.arraycopy(merges.get(i), 0, triples, 3 * i, 3);
    try {
      return new Tokenizer(Patterns.canonical(pattern), Rule.MERGES, tokens, triples, specials);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(vocabSource + ": " + e.getMessage());
    }
  }

  /**
   * Writes {@code t} as vocab.json + merges.txt into {@code dir}, each atomically: the texts of
   * {@link #tokenTexts} and the lines of {@link #mergeLines}.
   */
  static void write(Tokenizer t, Path dir) throws IOException {
    String[] texts = tokenTexts(t);
    StringBuilder vocab = new StringBuilder("{");
    for (int id = 0; id < texts.length; id++) {
      if (texts[id] == null) continue;
      if (vocab.length() > 1) vocab.append(", ");
      Json.writeString(texts[id], vocab);
      vocab.append(": ").append(id);
    }
    vocab.append("}\n");
    StringBuilder merges = new StringBuilder("#version: 0.2\n");
    for (String line : mergeLines(t)) merges.append(line).append('\n');
    Files.createDirectories(dir);
    AtomicFile.write(dir.resolve("vocab.json"), vocab.toString().getBytes(StandardCharsets.UTF_8));
    AtomicFile.write(dir.resolve("merges.txt"), merges.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Each id's token as vocab.json spells it: ordinary tokens in the byte-level alphabet, special
   * tokens as their text, null for ids a rank file leaves unused. (vocab_size) entries.
   */
  static String[] tokenTexts(Tokenizer t) {
    String[] texts = new String[t.vocabSize()];
    for (int id = 0; id < texts.length; id++) {
      if (t.isSpecial(id)) texts[id] = specialText(t, id);
      else if (t.isValidId(id)) texts[id] = ByteLevel.encode(t.tokenBytes(id));
    }
    return texts;
  }

  /**
   * merges.txt's lines ("left right" in the byte-level alphabet), first merges first. A tokenizer
   * from merges gives them as they are; one from ranks (tiktoken files) the merges its ranks
   * imply: each token is the merge of the two pieces that byte-pair merging with only the lower
   * ranks leaves of its bytes (minbpe's recover_merges).
   */
  static List<String> mergeLines(Tokenizer t) {
    List<String> lines = new ArrayList<>();
    int[] triples = t.mergeTriples();
    if (triples != null) {
      for (int i = 0; i < triples.length; i += 3) {
        lines.add(ByteLevel.encode(t.tokenBytes(triples[i])) + ' ' + ByteLevel.encode(t.tokenBytes(triples[i + 1])));
      }
      return lines;
    }
    int n = t.vocabSize();
    Map<String, Integer> idOfBytes = new HashMap<>();
    for (int id = 0; id < n; id++) {
      if (!t.isSpecial(id) && t.isValidId(id)) {
        idOfBytes.put(new String(t.tokenBytes(id), StandardCharsets.ISO_8859_1), id);
      }
    }
    for (int id = 0; id < n; id++) {
      if (t.isSpecial(id) || !t.isValidId(id) || t.tokenBytes(id).length < 2) continue;
      byte[][] pair = splitWithLowerIds(t.tokenBytes(id), id, idOfBytes);
      lines.add(ByteLevel.encode(pair[0]) + ' ' + ByteLevel.encode(pair[1]));
    }
    return lines;
  }

  private static String specialText(Tokenizer t, int id) {
    for (Map.Entry<String, Integer> e : t.specialTokens().entrySet()) if (e.getValue() == id) return e.getKey();
    throw new IllegalStateException("no special token with id " + id);
  }

  /** Byte-pair merging of {@code token} using only ids below its own; the two pieces left. */
  private static byte[][] splitWithLowerIds(byte[] token, int id, Map<String, Integer> idOfBytes) {
    List<String> parts = new ArrayList<>();
    for (byte b : token) parts.add(new String(new byte[] {b}, StandardCharsets.ISO_8859_1));
    while (parts.size() > 2) {
      int best = -1, bestId = Integer.MAX_VALUE;
      for (int i = 0; i + 1 < parts.size(); i++) {
        Integer merged = idOfBytes.get(parts.get(i) + parts.get(i + 1));
        if (merged != null && merged < id && merged < bestId) {
          best = i;
          bestId = merged;
        }
      }
      if (best < 0) throw new IllegalStateException("token " + id + " is not a merge of lower-ranked tokens");
      parts.set(best, parts.get(best) + parts.remove(best + 1));
    }
    if (parts.size() != 2) throw new IllegalStateException("token " + id + " does not split in two");
    return new byte[][] {parts.get(0).getBytes(StandardCharsets.ISO_8859_1),
        parts.get(1).getBytes(StandardCharsets.ISO_8859_1)};
  }
}
