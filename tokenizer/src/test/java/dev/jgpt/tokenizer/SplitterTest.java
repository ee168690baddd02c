package dev.jgpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written splitters must cut exactly where their regular expressions do. */
class SplitterTest {
  private static final RegexSplitter GPT2_REGEX = new RegexSplitter(Patterns.compile(Patterns.GPT2_REGEX));
  private static final RegexSplitter CL100K_REGEX = new RegexSplitter(Patterns.compile(Patterns.CL100K_REGEX));

  static List<String> pieces(Splitter splitter, String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>();
    splitter.split(b, 0, b.length, (s, e) -> out.add(new String(b, s, e - s, StandardCharsets.UTF_8)));
    return out;
  }

  private static void assertSameSplit(String text) {
    assertEquals(pieces(GPT2_REGEX, text), pieces(new Gpt2Splitter(), text), () -> "gpt2 on " + TextGen.describe(text));
    assertEquals(pieces(CL100K_REGEX, text), pieces(new Cl100kSplitter(), text), () -> "cl100k on " + TextGen.describe(text));
  }

  @Test
  void knownSplits() {
    assertEquals(List.of("Hello", ",", " world", "'s", " 1234", "!!", "  ", " x", "\n\n"),
        pieces(new Gpt2Splitter(), "Hello, world's 1234!!   x\n\n"));
    assertEquals(List.of("Hello", ",", " world", "'s", " ", "123", "4", "!!", "  ", " x", "\n\n"),
        pieces(new Cl100kSplitter(), "Hello, world's 1234!!   x\n\n"));
    assertEquals(List.of("'S", "'LL", "'ſ", "'x"), pieces(new Cl100kSplitter(), "'S'LL'ſ'x"));
    assertEquals(List.of("'", "S", "'", "LL", "'", "ſ", "'", "x"), pieces(new Gpt2Splitter(), "'S'LL'ſ'x"));
  }

  @Test
  void matchesTheRegexOnHandPickedText() {
    for (String s : TextGen.tricky()) assertSameSplit(s);
    for (String a : TextGen.FRAGMENTS) {
      for (String b : TextGen.FRAGMENTS) assertSameSplit(a + b);
    }
  }

  @Test
  void matchesTheRegexOnRandomText() {
    Random rnd = new Random(42);
    for (int i = 0; i < 3000; i++) assertSameSplit(TextGen.adversarial(rnd, 1 + rnd.nextInt(40)));
  }

  /** Every code point in every context that matters: after a space, an apostrophe, a letter, a newline; doubled. */
  @Test
  void matchesTheRegexForEveryCodePoint() {
    StringBuilder sb = new StringBuilder();
    for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;
      // Every BMP code point; a sample of the astral planes (CharClassTest covers them all).
      if (cp > 0xFFFF && cp % 61 != 0) continue;
      String c = Character.toString(cp);
      sb.append(' ').append(c).append('\'').append(c).append('a').append(c).append(c).append('\n').append(c).append("1").append(c);
      if (sb.length() > 20_000) {
        assertSameSplit(sb.toString());
        sb.setLength(0);
      }
    }
    assertSameSplit(sb.toString());
  }
}
