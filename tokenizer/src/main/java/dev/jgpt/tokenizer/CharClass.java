package dev.jgpt.tokenizer;

/**
 * The four character classes the GPT-2 and cl100k split patterns distinguish, with the exact
 * semantics of {@code java.util.regex} under {@code UNICODE_CHARACTER_CLASS} (and of tiktoken's
 * Rust regex): {@code \p{L}}, {@code \p{N}}, {@code \s} (the Unicode White_Space property), and
 * everything else.
 */
final class CharClass {
  private CharClass() {}

  static final byte OTHER = 0;
  static final byte LETTER = 1;
  static final byte NUMBER = 2;
  static final byte SPACE = 3;

  /** Classes of the Basic Multilingual Plane, one byte per code point (64 KiB, built once). */
  private static final byte[] BMP = new byte[0x10000];

  static {
    for (int cp = 0; cp < BMP.length; cp++) BMP[cp] = compute(cp);
  }

  static byte of(int cp) {
    return cp < 0x10000 ? BMP[cp] : compute(cp);
  }

  private static byte compute(int cp) {
    int type = Character.getType(cp);
    switch (type) {
      case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER, Character.OTHER_LETTER -> {
        return LETTER;
      }
      case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> {
        return NUMBER;
      }
      case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> {
        return SPACE;
      }
      default -> {
        // White_Space also holds the controls \t \n \u000B \f \r and NEL (U+0085).
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 ? SPACE : OTHER;
      }
    }
  }
}
