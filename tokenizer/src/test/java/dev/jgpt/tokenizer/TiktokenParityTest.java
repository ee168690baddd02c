package dev.jgpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.api.Test;

/** With tiktoken's GPT-2 and cl100k ranks we must produce exactly tiktoken's ids (JTokkit is the oracle). */
class TiktokenParityTest {

  static void assertSameIds(Tokenizer ours, Encoding oracle, String text) {
    int[] expected = oracle.encodeOrdinary(text).toArray();
    int[] actual = ours.encode(text);
    if (!java.util.Arrays.equals(expected, actual)) {
      assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(actual), "ids for " + TextGen.describe(text));
    }
    assertArrayEquals(expected, actual);
  }

  @Test
  void gpt2MatchesOnHandPickedText() {
    for (String s : TextGen.tricky()) assertSameIds(Fixtures.r50k(), Fixtures.jtokkit(EncodingType.R50K_BASE), s);
  }

  @Test
  void cl100kMatchesOnHandPickedText() {
    for (String s : TextGen.tricky()) assertSameIds(Fixtures.cl100k(), Fixtures.jtokkit(EncodingType.CL100K_BASE), s);
  }

  @Test
  void o200kMatchesOnHandPickedText() {
    for (String s : TextGen.tricky()) assertSameIds(Fixtures.o200k(), Fixtures.jtokkit(EncodingType.O200K_BASE), s);
  }

  @Test
  void gpt2MatchesOnRandomAdversarialText() {
    java.util.Random rnd = new java.util.Random(1);
    for (int i = 0; i < 400; i++) {
      assertSameIds(Fixtures.r50k(), Fixtures.jtokkit(EncodingType.R50K_BASE), TextGen.adversarial(rnd, 1 + rnd.nextInt(200)));
    }
  }

  @Test
  void cl100kMatchesOnRandomAdversarialText() {
    java.util.Random rnd = new java.util.Random(2);
    for (int i = 0; i < 400; i++) {
      assertSameIds(Fixtures.cl100k(), Fixtures.jtokkit(EncodingType.CL100K_BASE), TextGen.adversarial(rnd, 1 + rnd.nextInt(200)));
    }
  }

  @Test
  void o200kMatchesOnRandomAdversarialText() {
    java.util.Random rnd = new java.util.Random(3);
    for (int i = 0; i < 200; i++) {
      assertSameIds(Fixtures.o200k(), Fixtures.jtokkit(EncodingType.O200K_BASE), TextGen.adversarial(rnd, 1 + rnd.nextInt(200)));
    }
  }

  @Test
  void matchesOnLongProse() {
    String prose = TextGen.prose(new java.util.Random(4), 200_000);
    assertSameIds(Fixtures.r50k(), Fixtures.jtokkit(EncodingType.R50K_BASE), prose);
    assertSameIds(Fixtures.cl100k(), Fixtures.jtokkit(EncodingType.CL100K_BASE), prose);
  }

  @Test
  void matchesOnVeryLongRuns() {
    for (String unit : new String[] {"a", " ", "\n", "ab", "1", "!", "\u00e9", "\ud83d\ude00", " \n", "\t "}) {
      String s = unit.repeat(5000);
      assertSameIds(Fixtures.r50k(), Fixtures.jtokkit(EncodingType.R50K_BASE), s);
      assertSameIds(Fixtures.cl100k(), Fixtures.jtokkit(EncodingType.CL100K_BASE), s);
    }
  }

  @Test
  void specialTokenIdsAndVocabSizesAreTiktokens() {
    assertEquals(50257, Fixtures.r50k().vocabSize());
    assertEquals(50256, Fixtures.r50k().eotId());
    assertEquals(100277, Fixtures.cl100k().vocabSize()); // tiktoken's n_vocab
    assertEquals(100257, Fixtures.cl100k().eotId());
    assertEquals(100276, Fixtures.cl100k().specialId("<|endofprompt|>"));
    assertEquals(200019, Fixtures.o200k().vocabSize());
  }
}
