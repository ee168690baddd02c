package dev.jgpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CharClassTest {
  /** \p{L}, \p{N} and \s (Unicode White_Space) exactly as java.util.regex sees them, for every code point. */
  @Test
  void agreesWithTheRegexClassesForEveryCodePoint() {
    Pattern letter = Pattern.compile("\\p{L}", Pattern.UNICODE_CHARACTER_CLASS);
    Pattern number = Pattern.compile("\\p{N}", Pattern.UNICODE_CHARACTER_CLASS);
    Pattern space = Pattern.compile("\\s", Pattern.UNICODE_CHARACTER_CLASS);
    for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
      String s = Character.toString(cp);
      byte expected = letter.matcher(s).matches() ? CharClass.LETTER
          : number.matcher(s).matches() ? CharClass.NUMBER
          : space.matcher(s).matches() ? CharClass.SPACE : CharClass.OTHER;
      if (expected != CharClass.of(cp)) assertEquals(expected, CharClass.of(cp), "U+" + Integer.toHexString(cp));
    }
  }
}
