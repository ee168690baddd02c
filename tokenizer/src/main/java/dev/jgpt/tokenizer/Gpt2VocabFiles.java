package dev.jgpt.tokenizer;

import dev.jgpt.tokenizer.json.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads GPT-2 style {@code vocab.json} (token in the byte-level alphabet -> id) plus
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
    Map<String, Integer> idOf = new HashMap<>();
    int maxId = -1;
    for (Map.Entry<String, Object> e : vocab.entrySet()) {
      if (!(e.getValue() instanceof Long v) || v < 0 || v > Integer.MAX_VALUE - 1) {
        throw new IllegalArgumentException(source + "/vocab.json: the id of " + e.getKey() + " should be a non-negative integer");
      }
      idOf.put(e.getKey(), (int) (long) v);
      maxId = Math.max(maxId, (int) (long) v);
    }
    List<int[]> merges = new ArrayList<>();
    Set<Integer> produced = new HashSet<>();
    int lineNo = 0;
    for (String line : mergesTxt.split("\n", -1)) {
      lineNo++;
      line = line.replace("\r", "");
      if (line.isBlank() || (lineNo == 1 && line.startsWith("#version"))) continue;
      String[] parts = line.split(" ");
      if (parts.length != 2) {
        throw new IllegalArgumentException(source + "/merges.txt: line " + lineNo + " should be two tokens separated by one space");
      }
      Integer left = idOf.get(parts[0]);
      Integer right = idOf.get(parts[1]);
      Integer result = idOf.get(parts[0] + parts[1]);
      if (left == null || right == null || result == null) {
        throw new IllegalArgumentException(source + "/merges.txt: line " + lineNo + " (" + line
            + ") uses or makes a token that vocab.json lacks");
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
          throw new IllegalArgumentException(source + "/vocab.json: token " + id + " has characters outside GPT-2's byte-level alphabet");
        }
        specials.put(text, id);
      } else {
        if (tokens[id] != null) throw new IllegalArgumentException(source + "/vocab.json: id " + id + " is used twice");
        tokens[id] = bytes;
      }
    }
    int[] triples = new int[3 * merges.size()];
    for (int i = 0; i < merges.size(); i++) System.arraycopy(merges.get(i), 0, triples, 3 * i, 3);
    try {
      return new Tokenizer(Patterns.canonical(pattern), Rule.MERGES, tokens, triples, specials);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage());
    }
  }
}
