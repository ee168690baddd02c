package dev.jgpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {
  private static final List<String> EOT = List.of(Tokenizer.END_OF_TEXT);

  /** The merges, as [left, right] pairs, of a trained tokenizer (merge i made id 256 + i). */
  private static List<int[]> mergesOf(Tokenizer t) {
    List<int[]> out = new ArrayList<>();
    int[] m = t.merges();
    for (int i = 0; i < m.length; i += 3) {
      assertEquals(256 + i / 3, m[i + 2]);
      out.add(new int[] {m[i], m[i + 1]});
    }
    return out;
  }

  /** The merges the readable reference ({@link BpeReference}, minbpe's loop) learns, as [left, right] pairs. */
  private static List<int[]> referenceMerges(String text, String pattern, int mergeCount, int minFrequency) {
    List<int[]> out = new ArrayList<>();
    for (BpeReference.Pair p : BpeReference.train(text, pattern, mergeCount, minFrequency, List.of()).merges()) {
      out.add(new int[] {p.left(), p.right()});
    }
    return out;
  }

  private static void assertSameMerges(List<int[]> expected, List<int[]> actual) {
    assertEquals(expected.size(), actual.size(), "merge count");
    for (int i = 0; i < expected.size(); i++) assertArrayEquals(expected.get(i), actual.get(i), "merge " + i);
  }

  @Test
  void sameMergesAsMinbpeOnProse() {
    for (String pattern : new String[] {"gpt2", "cl100k"}) {
      String text = TextGen.prose(new Random(11), 30_000);
      List<int[]> expected = referenceMerges(text, pattern, 400, 1);
      Tokenizer t = BpeTrainer.train(text, 256 + 400 + 1, pattern, EOT, 1, null);
      assertSameMerges(expected, mergesOf(t));
    }
  }

  @Test
  void sameMergesAsMinbpeWhenTiesAbound() {
    // Random short words over a tiny alphabet: many pairs share each count, so tie-breaking decides.
    Random rnd = new Random(5);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      int len = 1 + rnd.nextInt(7);
      sb.append(' ');
      for (int k = 0; k < len; k++) sb.append("abcd".charAt(rnd.nextInt(4)));
      if (rnd.nextInt(9) == 0) sb.append(" aaaa aaaaaaa abab");
    }
    String text = sb.toString();
    List<int[]> expected = referenceMerges(text, "gpt2", 10_000, 1);
    int merges = expected.size();
    Tokenizer t = BpeTrainer.train(text, 256 + merges + 1, "gpt2", EOT, 1, null);
    assertSameMerges(expected, mergesOf(t));
  }

  @Test
  void sameMergesAsMinbpeOnAdversarialTextWithMinimumFrequency() {
    String text = TextGen.adversarial(new Random(8), 4000);
    // No special tokens: the text holds <|endoftext|>, learnt here as ordinary text by both.
    List<int[]> expected = referenceMerges(text, "cl100k", 10_000, 3);
    Tokenizer t = BpeTrainer.train(text, 256 + expected.size(), "cl100k", List.of(), 3, null);
    assertSameMerges(expected, mergesOf(t));
  }

  @Test
  void deterministicAcrossRuns() {
    String text = TextGen.prose(new Random(3), 50_000);
    String first = BpeTrainer.train(text, 1000, "gpt2", EOT, 2, null).hash();
    for (int i = 0; i < 3; i++) assertEquals(first, BpeTrainer.train(text, 1000, "gpt2", EOT, 2, null).hash());
  }

  @Test
  void reportsTheCorpusEncodedWithTheResult() {
    String text = TextGen.prose(new Random(4), 40_000) + "\u00e9t\u00e9 \ud83d\ude00";
    ChunkCounts counts = new ChunkCounts("gpt2", EOT);
    counts.add(text);
    int[] calls = {0};
    BpeTrainer.Result r = BpeTrainer.train(counts, 700, EOT, 2, (done, total) -> {
      assertEquals(++calls[0], done);
      assertEquals(700 - 257, total);
    });
    assertEquals(700 - 257, calls[0]);
    assertEquals(700, r.tokenizer().vocabSize());
    assertEquals(699, r.tokenizer().eotId());
    assertEquals(text.getBytes(StandardCharsets.UTF_8).length, r.corpusBytes());
    assertEquals(r.tokenizer().encode(text).length, r.corpusTokens());
    assertTrue(r.bytesPerToken() > 2, "bytes/token " + r.bytesPerToken());
  }

  @Test
  void specialTokenTextInTheCorpusSeparatesDocumentsAndIsNotLearned() {
    String doc = "alpha beta gamma delta. ";
    String text = (doc.repeat(20) + "<|endoftext|>").repeat(30);
    Tokenizer t = BpeTrainer.train(text, 270, "gpt2", EOT, 1, null);
    for (int id = 256; id < t.vocabSize() - 1; id++) {
      String token = new String(t.tokenBytes(id), StandardCharsets.UTF_8);
      assertTrue(!token.contains("<|") && !token.contains("|>") && !token.contains("endof"), token);
    }
    int[] ids = t.encode(text, SpecialMode.ALLOW);
    assertEquals(30, java.util.Arrays.stream(ids).filter(i -> i == t.eotId()).count());
  }

  @Test
  void stringBytesAndFileInputsCountTheSame(@TempDir Path dir) throws Exception {
    String text = TextGen.prose(new Random(9), 60_000);
    ChunkCounts fromString = new ChunkCounts("cl100k", EOT);
    fromString.add(text);
    ChunkCounts fromBytes = new ChunkCounts("cl100k", EOT);
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    fromBytes.add(bytes, 0, bytes.length);
    Path file = dir.resolve("corpus.txt");
    Files.write(file, bytes);
    ChunkCounts fromFile = new ChunkCounts("cl100k", EOT);
    fromFile.addFile(file);
    String expected = BpeTrainer.train(fromString, 600, EOT, 2, null).tokenizer().hash();
    assertEquals(expected, BpeTrainer.train(fromBytes, 600, EOT, 2, null).tokenizer().hash());
    assertEquals(expected, BpeTrainer.train(fromFile, 600, EOT, 2, null).tokenizer().hash());
    assertEquals(fromString.uniqueChunks(), fromFile.uniqueChunks());
  }

  @Test
  void invalidUtf8InTheCorpusIsCountedButNotMerged() {
    byte[] bytes = "abc abc \u00ff\u00fe abc".getBytes(StandardCharsets.ISO_8859_1); // \xff \xfe: invalid UTF-8
    ChunkCounts counts = new ChunkCounts("gpt2", EOT);
    counts.add(bytes, 0, bytes.length);
    BpeTrainer.Result r = BpeTrainer.train(counts, 258, EOT, 1, null);
    assertEquals(bytes.length, r.corpusBytes());
    assertEquals(r.tokenizer().encodeBytes(bytes, 0, bytes.length).length, r.corpusTokens());
  }

  @Test
  void rejectsBadSettingsWithOneLineMessages() {
    String text = "tiny corpus tiny corpus";
    IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
        () -> BpeTrainer.train(text, 255, "gpt2", EOT, 1, null));
    assertTrue(small.getMessage().contains("at least 256"), small.getMessage());
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
        () -> BpeTrainer.train("", 300, "gpt2", EOT, 1, null));
    assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
    IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
        () -> BpeTrainer.train(text, 5000, "gpt2", EOT, 2, null));
    assertTrue(big.getMessage().startsWith("vocab size 5000 is larger than this corpus allows"), big.getMessage());
    assertTrue(!big.getMessage().contains("\n"));
    assertThrows(IllegalArgumentException.class, () -> BpeTrainer.train(text, 300, "(unclosed", EOT, 1, null));
  }

  @Test
  void vocabSize256GivesBytesAndTheSpecials() {
    Tokenizer t = BpeTrainer.train("some text", 256, "gpt2", EOT, 1, null);
    assertEquals(Tokenizer.bytesOnly().hash(), t.hash());
    assertEquals(257, t.vocabSize());
  }

  @Test
  void customPatternsTrainAndRoundTrip() {
    String text = TextGen.prose(new Random(6), 20_000);
    Tokenizer t = BpeTrainer.train(text, 500, "\\S+|\\s+", EOT, 2, null);
    assertEquals("\\S+|\\s+", t.pattern());
    assertEquals(text, t.decode(t.encode(text)));
    List<int[]> expected = referenceMerges(text, "\\S+|\\s+", 500 - 257, 2);
    assertSameMerges(expected, mergesOf(t));
  }
}
