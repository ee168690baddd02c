package dev.jgpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.knuddels.jtokkit.api.EncodingType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerFileTest {
  @TempDir Path dir;

  private static void assertSameTokenizer(Tokenizer expected, Tokenizer actual) {
    assertEquals(expected.hash(), actual.hash());
    assertEquals(expected.vocabSize(), actual.vocabSize());
    assertEquals(expected.specialTokens(), actual.specialTokens());
    assertEquals(expected.pattern(), actual.pattern());
    Random rnd = new Random(1);
    for (int i = 0; i < 50; i++) {
      String s = TextGen.adversarial(rnd, 50);
      assertArrayEquals(expected.encode(s), actual.encode(s));
    }
  }

  @Test
  void trainedTokenizerRoundTripsThroughOurFile() throws IOException {
    Tokenizer t = BpeTrainer.train(TextGen.prose(new Random(2), 30_000), 600, "cl100k",
        List.of("<|endoftext|>", "<|pad|>"), 2, null);
    Path file = dir.resolve("tokenizer.json");
    t.save(file);
    assertSameTokenizer(t, Tokenizer.load(file));
    String json = Files.readString(file);
    assertTrue(json.startsWith("{\n  \"format\": \"jgpt-tokenizer\",\n  \"version\": 1,\n  \"pattern\": \"cl100k\",\n  \"rule\": \"merges\""), json.substring(0, 200));
    assertTrue(json.contains("\"special_tokens\": {\"<|endoftext|>\":598,\"<|pad|>\":599}"));
    assertTrue(json.contains("\n    \"32\": \"Ġ\",\n"), "a space is shown as GPT-2 shows it");
    assertTrue(json.contains("\n    [256, "), "one merge per line");
  }

  @Test
  void bytesOnlyAndRankFilesRoundTripThroughOurFile() throws IOException {
    for (Tokenizer t : List.of(Tokenizer.bytesOnly(), Fixtures.r50k())) {
      Path file = dir.resolve("t.json");
      t.save(file);
      assertSameTokenizer(t, Tokenizer.load(file));
    }
  }

  @Test
  void customPatternsAreKept() throws IOException {
    Tokenizer t = BpeTrainer.train("ab ab ab cd cd", 258, "[a-z]+|\\s+", List.of(), 1, null);
    Path file = dir.resolve("custom.json");
    t.save(file);
    assertEquals("[a-z]+|\\s+", Tokenizer.load(file).pattern());
    assertEquals("gpt2", Tokenizer.load(file, "gpt2").pattern(), "an explicit pattern overrides the file's");
  }

  @Test
  void saveReplacesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
    Path file = dir.resolve("sub/tokenizer.json");
    Tokenizer.bytesOnly().save(file);
    Fixtures.r50k().save(file);
    assertEquals(Fixtures.r50k().hash(), Tokenizer.load(file).hash());
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertEquals(List.of("tokenizer.json"), files.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void loadsTiktokenRankFiles() throws IOException {
    Path file = dir.resolve("cl100k_base.tiktoken");
    Files.writeString(file, Fixtures.rankFile("cl100k_base"));
    Tokenizer t = Tokenizer.load(file, "cl100k");
    assertEquals(Fixtures.cl100k().hash(), t.hash());
    Path gpt2 = dir.resolve("r50k_base.tiktoken");
    Files.writeString(gpt2, Fixtures.rankFile("r50k_base"));
    assertEquals(Fixtures.r50k().hash(), Tokenizer.load(gpt2).hash(), "no pattern means gpt2");
  }

  /**
   * GPT-2's vocab.json + merges.txt are the r50k ranks in another form. Rebuild them from the
   * ranks (each token's merge is how the lower ranks split it: minbpe's recover_merges) and check
   * the folder encodes exactly as tiktoken.
   */
  @Test
  void loadsGpt2VocabAndMergesFolders() throws IOException {
    String ranks = Fixtures.rankFile("r50k_base");
    Map<String, Integer> rankOf = new LinkedHashMap<>();
    List<byte[]> byRank = new ArrayList<>();
    for (String line : ranks.split("\n")) {
      String[] p = line.split(" ");
      byte[] b = java.util.Base64.getDecoder().decode(p[0]);
      rankOf.put(new String(b, StandardCharsets.ISO_8859_1), Integer.parseInt(p[1]));
      byRank.add(b);
    }
    StringBuilder vocab = new StringBuilder("{");
    StringBuilder merges = new StringBuilder("#version: 0.2\n");
    for (int r = 0; r < byRank.size(); r++) {
      byte[] token = byRank.get(r);
      vocab.append(r == 0 ? "" : ",");
      dev.jgpt.common.Json.writeString(ByteLevel.encode(token), vocab);
      vocab.append(':').append(r);
      if (token.length == 1) continue;
      List<byte[]> parts = splitWithLowerRanks(token, r, rankOf);
      assertEquals(2, parts.size(), "token " + r);
      merges.append(ByteLevel.encode(parts.get(0))).append(' ').append(ByteLevel.encode(parts.get(1))).append('\n');
    }
    vocab.append(",\"<|endoftext|>\":50256}");
    Path folder = dir.resolve("gpt2");
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("vocab.json"), vocab);
    Files.writeString(folder.resolve("merges.txt"), merges);

    Tokenizer t = Tokenizer.load(folder);
    assertEquals(50257, t.vocabSize());
    assertEquals(50256, t.eotId());
    Random rnd = new Random(3);
    for (int i = 0; i < 100; i++) {
      String s = i % 3 == 0 ? TextGen.prose(rnd, 2000) : TextGen.adversarial(rnd, 80);
      TiktokenParityTest.assertSameIds(t, Fixtures.jtokkit(EncodingType.R50K_BASE), s);
    }
    assertEquals(t.hash(), Tokenizer.load(folder.resolve("vocab.json")).hash(), "either file names the folder");
    Path ours = dir.resolve("gpt2.json");
    t.save(ours);
    assertEquals(t.hash(), Tokenizer.load(ours).hash());
  }

  /** Byte-pair merging of a token's bytes using only ranks below its own. */
  private static List<byte[]> splitWithLowerRanks(byte[] token, int maxRank, Map<String, Integer> rankOf) {
    List<byte[]> parts = new ArrayList<>();
    for (byte b : token) parts.add(new byte[] {b});
    while (true) {
      int best = -1;
      int bestRank = maxRank;
      for (int i = 0; i + 1 < parts.size(); i++) {
        Integer r = rankOf.get(latin1(parts.get(i)) + latin1(parts.get(i + 1)));
        if (r != null && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) return parts;
      byte[] joined = (latin1(parts.get(best)) + latin1(parts.get(best + 1))).getBytes(StandardCharsets.ISO_8859_1);
      parts.set(best, joined);
      parts.remove(best + 1);
    }
  }

  private static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  @Test
  void badFilesGiveOneLineErrors() throws IOException {
    assertThrows(NoSuchFileException.class, () -> Tokenizer.load(dir.resolve("missing.json")));
    String[][] cases = {
      {"", "empty"},
      {"hello world\n", "is not a tokenizer"},
      {"{\"format\": \"jgpt-tokenizer\", ", "malformed JSON"},
      {"{\"model\": {}}", "Hugging Face"},
      {"{\"format\": \"other\"}", "not a jgpt tokenizer file"},
      {"{\"format\": \"jgpt-tokenizer\", \"version\": 2}", "version 2 is not supported"},
      {"{\"format\": \"jgpt-tokenizer\", \"version\": 1, \"pattern\": \"gpt2\"}", "missing \"tokens\""},
      {"{\"format\": \"jgpt-tokenizer\", \"version\": 1, \"pattern\": \"gpt2\", \"tokens\": {\"0\": \"!\"}, \"merges\": []}",
          "no token for the byte 0x00"},
      {"{\"format\": \"jgpt-tokenizer\", \"version\": 1, \"pattern\": \"(\", \"tokens\": {}, \"merges\": []}", "invalid split pattern"},
      {"IQ== 0\nIg== x\n", "line 2"},
      {"IQ== 0\nIQ== 1\n", "same bytes"},
    };
    for (String[] c : cases) {
      Path file = dir.resolve("bad.json");
      Files.writeString(file, c[0]);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.load(file), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[1] + " in: " + e.getMessage());
      assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
    // A merge whose result does not join its parts.
    Path file = dir.resolve("t.json");
    Tokenizer.fromMerges("gpt2", new int[][] {{'a', 'b'}}, List.of()).save(file);
    Files.writeString(file, Files.readString(file).replace("[97, 98, 256]", "[97, 99, 256]"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.load(file));
    assertTrue(e.getMessage().contains("merge 0 joins tokens 97 and 99"), e.getMessage());
    Path folder = dir.resolve("empty-folder");
    Files.createDirectories(folder);
    e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.load(folder));
    assertTrue(e.getMessage().contains("vocab.json and merges.txt"), e.getMessage());
  }
}
