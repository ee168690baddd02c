package dev.jgpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The readable reference and the fast trainer and encoder agree: same merges, same ids, same bytes back. */
class BpeReferenceTest {
  private static final List<String> EOT = List.of(Tokenizer.END_OF_TEXT);

  private static List<BpeReference.Pair> mergesOf(Tokenizer t) {
    List<BpeReference.Pair> out = new ArrayList<>();
    int[] m = t.mergeTriples();
    for (int i = 0; i < m.length; i += 3) out.add(new BpeReference.Pair(m[i], m[i + 1]));
    return out;
  }

  /** The worked example: "aaabdaaabac" learns aa, then (aa)a (it occurs before ab), then (aaa)b. */
  @Test
  void aWorkedExampleByHand() {
    BpeReference bpe = BpeReference.train("aaabdaaabac", "gpt2", 10, 2, List.of());
    assertEquals(List.of(new BpeReference.Pair('a', 'a'), new BpeReference.Pair(256, 'a'), new BpeReference.Pair(257, 'b')),
        bpe.merges(), "after three merges every pair occurs once, below the minimum frequency of 2");
    assertArrayEquals(new int[] {258, 'd', 258, 'a', 'c'}, bpe.encode("aaabdaaabac"));
    assertEquals("aaabdaaabac", bpe.decode(new int[] {258, 'd', 258, 'a', 'c'}));
    Tokenizer fast = BpeTrainer.train("aaabdaaabac", 256 + 3, "gpt2", List.of(), 2, null);
    assertEquals(bpe.merges(), mergesOf(fast));
  }

  @Test
  void sameMergesAsTheFastTrainerWithSpecialTokensInTheText() {
    for (String pattern : new String[] {"gpt2", "cl100k", "o200k"}) {
      Random rnd = new Random(21);
      StringBuilder text = new StringBuilder();
      for (int d = 0; d < 6; d++) text.append(TextGen.prose(rnd, 3000)).append(TextGen.adversarial(rnd, 80)).append(Tokenizer.END_OF_TEXT);
      BpeReference reference = BpeReference.train(text.toString(), pattern, 300, 2, EOT);
      Tokenizer fast = BpeTrainer.train(text.toString(), 256 + reference.merges().size() + 1, pattern, EOT, 2, null);
      assertEquals(reference.merges(), mergesOf(fast), pattern);
    }
  }

  @Test
  void sameIdsAsTheFastEncoderOnTrickyStrings() {
    String corpus = TextGen.prose(new Random(12), 20_000) + TextGen.adversarial(new Random(13), 1500);
    for (String pattern : new String[] {"gpt2", "cl100k", "o200k", "\\S+|\\s+"}) {
      Tokenizer fast = BpeTrainer.train(corpus, 256 + 500 + 1, pattern, EOT, 2, null);
      BpeReference reference = new BpeReference(pattern, mergesOf(fast));
      List<String> texts = new ArrayList<>(TextGen.tricky());
      texts.add("<|endoftext|> is ordinary text here\uD800 and a lone surrogate too \uDC00");
      Random rnd = new Random(14);
      for (int i = 0; i < 200; i++) texts.add(TextGen.adversarial(rnd, 1 + rnd.nextInt(60)));
      for (String s : texts) {
        int[] ids = fast.encode(s);
        assertArrayEquals(ids, reference.encode(s), () -> pattern + " on " + TextGen.describe(s));
        assertArrayEquals(fast.decodeBytes(ids), reference.decodeBytes(ids), () -> pattern + " on " + TextGen.describe(s));
        assertEquals(fast.decode(ids), reference.decode(ids));
      }
    }
  }

  @Test
  void decodeGivesTheTextBackAndInvalidUtf8AsReplacement() {
    BpeReference bpe = BpeReference.train(TextGen.prose(new Random(15), 5000), "gpt2", 100, 2, List.of());
    for (String s : TextGen.tricky()) assertEquals(s, bpe.decode(bpe.encode(s)), TextGen.describe(s));
    assertEquals("x\uFFFD", bpe.decode(new int[] {'x', 0xFF}));
    assertArrayEquals("é".getBytes(StandardCharsets.UTF_8), bpe.decodeBytes(bpe.encode("é")));
  }
}
