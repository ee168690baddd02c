package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextEscapesTest {

  @Test
  void escapeMakesWhitespaceAndControlCharactersVisible() {
    assertEquals("\"a\\nb\\tc\\rd\\\\e\\\"f\"", TextEscapes.quote("a\nb\tc\rd\\e\"f"));
    assertEquals("\\u0000\\u001b\\u007f\\u0085é€", TextEscapes.escape("\u0000\u001b\u007f\u0085é€"));
  }

  @Test
  void unescapeIsTheInverseOfEscapeOnTrickyStrings() {
    for (String s : List.of("", "plain", "two\n\nlines", "tab\there", "back\\slash", "quote\"d", "\\n literally",
        "\u0000nul", "esc\u001b[0m", "\u0085next line", "trailing\\", "é and 😀", "\\u00e9 typed")) {
      assertEquals(s, TextEscapes.unescape(TextEscapes.escape(s)), TextEscapes.quote(s));
    }
  }

  @Test
  void unescapeReadsTypedEscapesAndLeavesOtherBackslashesAlone() {
    assertEquals("\n\nEND", TextEscapes.unescape("\\n\\nEND"));
    assertEquals("é", TextEscapes.unescape("\\u00e9"));
    assertEquals("C:\\dir\\x", TextEscapes.unescape("C:\\dir\\x"), "unknown escapes stay");
    assertEquals("\\u12", TextEscapes.unescape("\\u12"), "a short \\u stays");
    assertEquals("\\uzzzz", TextEscapes.unescape("\\uzzzz"));
    assertEquals("ends in \\", TextEscapes.unescape("ends in \\"));
  }
}
