package dev.jgpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenTextTest {

  @Test
  void escapeMakesWhitespaceAndControlCharactersVisible() {
    assertEquals("\"a\\nb\\tc\\rd\\\\e\\\"f\"", TokenText.quote("a\nb\tc\rd\\e\"f"));
    assertEquals("\\u0000\\u001b\\u007f\\u0085é€", TokenText.escape("\u0000\u001b\u007f\u0085é€"));
  }

  @Test
  void renderEscapesValidUtf8AndShowsThePiecesOfACharacterAsBytes() {
    assertEquals("\\n", TokenText.render("\n".getBytes(StandardCharsets.UTF_8)));
    assertEquals(" the", TokenText.render(" the".getBytes(StandardCharsets.UTF_8)));
    assertEquals("€", TokenText.render("€".getBytes(StandardCharsets.UTF_8)));
    assertEquals("\\xe2\\x82", TokenText.render(new byte[] {(byte) 0xe2, (byte) 0x82}), "two of the three bytes of €");
    assertEquals("a\\\"\\xff", TokenText.render(new byte[] {'a', '"', (byte) 0xff}), "ASCII beside a bad byte stays text");
    assertEquals("\\u001b", TokenText.render(new byte[] {0x1b}));
  }

  @Test
  void quotedShowsATokenOfTheVocabularyOrSaysItsIdIsNotOne() {
    Tokenizer bytes = Tokenizer.bytesOnly();
    assertEquals("\"\\n\"", TokenText.quoted(bytes, '\n'));
    assertEquals("\"\\xe2\"", TokenText.quoted(bytes, 0xe2));
    assertEquals("<id 100000>", TokenText.quoted(bytes, 100000));
  }

  @Test
  void unescapeIsTheInverseOfEscapeOnTrickyStrings() {
    for (String s : List.of("", "plain", "two\n\nlines", "tab\there", "back\\slash", "quote\"d", "\\n literally",
        "\u0000nul", "esc\u001b[0m", "\u0085next line", "trailing\\", "é and 😀", "\\u00e9 typed")) {
      assertEquals(s, TokenText.unescape(TokenText.escape(s)), TokenText.quote(s));
    }
  }

  @Test
  void unescapeReadsTypedEscapesAndLeavesOtherBackslashesAlone() {
    assertEquals("\n\nEND", TokenText.unescape("\\n\\nEND"));
    assertEquals("é", TokenText.unescape("\\u00e9"));
    assertEquals("C:\\dir\\x", TokenText.unescape("C:\\dir\\x"), "unknown escapes stay");
    assertEquals("\\u12", TokenText.unescape("\\u12"), "a short \\u stays");
    assertEquals("\\uzzzz", TokenText.unescape("\\uzzzz"));
    assertEquals("ends in \\", TokenText.unescape("ends in \\"));
  }
}
