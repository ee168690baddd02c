package dev.jgpt.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Test text, generated (tests must not depend on a corpus): tricky cases and random adversarial mixes. */
final class TextGen {
  private TextGen() {}

  /** Fragments chosen to hit every branch of the split patterns and the merge fast paths. */
  static final String[] FRAGMENTS = {
    // words, contractions in every case, apostrophes that are not contractions
    "hello", " world", "Hello", "HELLO", "don't", "DON'T", "we're", "We'Re", "they've", "I'm", "you'll", "YOU'LL",
    "she'd", "it's", "IT'S", "'s", "'S", "'t", "'re", "'ve", "'m", "'ll", "'d", "'x", "''", "'", " '", "'ſ", "'ſt",
    "rock'n'roll", "o'clock", "’s", "’",
    // numbers, including non-ASCII digits and number-like letters
    "1", "12", "123", "1234", "12345", " 42", "3.14159", "1,000,000", "٣٤٥", "²³", "Ⅻ", "½", "①②", "०१२",
    // whitespace zoo
    " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "\r", " \n", "\n ", "  \n  ", "\t\t", "\u000B", "\f", "\u0085",
    "\u00A0", "\u1680", "\u2000", "\u2003", "\u200A", "\u2028", "\u2029", "\u202F", "\u205F", "\u3000",
    "\u200B", "\u180E", "\uFEFF", " \u00A0 ", "\u00A0word", "\u3000字",
    // punctuation and symbols
    "!", "!!!", "?!", "...", "--", "—", "“quoted”", "(x)", "[1]", "{}", "<|endoftext|>", "<|fim_prefix|>", "@#$%",
    " !", " !!\n", "!\n\n", "/", "//", "a/b", "http://example.com/x?y=1", "€", "£5", "#1", "_", "a_b", "\\",
    // other scripts
    "日本語のテキスト", "中文", "한국어", "Русский", "Ελληνικά", "עברית", "العربية", "हिन्दी", "ไทย", "ქართული",
    // combining marks, emoji, ZWJ sequences, flags, astral letters
    "e\u0301", "a\u0308\u0301", "😀", "😀😀", "👍🏽", "👨‍👩‍👧‍👦", "🇩🇪", "🏳️‍🌈", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𐍈", "𝟘𝟙",
    "ǅ", "ʰ", "ﬁ", "ẞ", "İ", "K",
    // controls
    "\u0000", "\u0001", "\u0007", "\u001B[31m", "\u007F", "\u0080", "\u009F",
  };

  static List<String> tricky() {
    List<String> out = new ArrayList<>(List.of(FRAGMENTS));
    out.add("");
    out.add("The quick brown fox jumps over the lazy dog. It's 12:30pm!\n\nNext paragraph...\n");
    out.add("    indented code();\n\treturn x;\n}\n");
    out.add("a  b   c    d\n\n\n   e");
    out.add("trailing spaces   ");
    out.add("   leading spaces");
    out.add("\n\n\n");
    out.add(" \t \n \r\n  x");
    out.add("x\u00A0\u00A0y");
    out.add("1234567890 12345678901234567890");
    out.add("don'tDON'T'll'LL's'S");
    out.add("a".repeat(1000));
    out.add(" a".repeat(300));
    return out;
  }

  /** A random concatenation of fragments and random code points, about {@code pieces} parts. */
  static String adversarial(Random rnd, int pieces) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < pieces; i++) {
      int kind = rnd.nextInt(10);
      if (kind < 6) {
        sb.append(FRAGMENTS[rnd.nextInt(FRAGMENTS.length)]);
      } else if (kind < 8) {
        sb.appendCodePoint(randomCodePoint(rnd));
      } else if (kind == 8) {
        sb.append(" ".repeat(rnd.nextInt(6)));
      } else {
        sb.append((char) ('a' + rnd.nextInt(26)));
      }
    }
    return sb.toString();
  }

  /** Any valid code point, biased towards ASCII and the BMP. */
  static int randomCodePoint(Random rnd) {
    while (true) {
      int r = rnd.nextInt(10);
      int cp = r < 4 ? rnd.nextInt(0x80) : r < 7 ? rnd.nextInt(0x800) : r < 9 ? rnd.nextInt(0x10000) : rnd.nextInt(0x110000);
      if (cp < 0xD800 || cp > 0xDFFF) return cp;
    }
  }

  private static final String[] WORDS = (
      "the of and to in is was that for it with as his on be at by had are but from or have an they which one you were "
          + "her all she there would their we him been has when who will more no if out so said what up its about into "
          + "than them can only other new some could time these two may then do first any my now such like our over man "
          + "me even most made after also did many before must through back years where much your way well down should "
          + "because each just those people how too little state good very make world still own see men work long get "
          + "here between both life being under never day same another know while last might us great old year off come "
          + "since against go came right used take three king queen lord thee thou thy hath doth wherefore romeo juliet")
      .split(" ");

  /** Pseudo-English prose: sentences, punctuation, numbers, names, line breaks and blank lines. */
  static String prose(Random rnd, int chars) {
    StringBuilder sb = new StringBuilder(chars + 100);
    while (sb.length() < chars) {
      int words = 3 + rnd.nextInt(15);
      for (int w = 0; w < words; w++) {
        String word = WORDS[rnd.nextInt(WORDS.length)];
        if (w == 0) word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
        if (rnd.nextInt(40) == 0) word = word.toUpperCase();
        if (rnd.nextInt(30) == 0) word = word + "'s";
        if (rnd.nextInt(50) == 0) word = String.valueOf(rnd.nextInt(10000));
        sb.append(w == 0 ? "" : " ").append(word);
        if (rnd.nextInt(12) == 0) sb.append(',');
      }
      sb.append(".!?;:".charAt(rnd.nextInt(5)));
      int r = rnd.nextInt(10);
      sb.append(r < 6 ? " " : r < 9 ? "\n" : "\n\n");
    }
    return sb.toString();
  }

  /** A short printable description of text for assertion messages. */
  static String describe(String s) {
    StringBuilder sb = new StringBuilder("\"");
    s.codePoints().limit(200).forEach(cp -> {
      if (cp >= 0x20 && cp < 0x7F && cp != '"' && cp != '\\') sb.appendCodePoint(cp);
      else sb.append(String.format("\\u{%x}", cp));
    });
    return sb.append(s.length() > 200 ? "...\"" : "\"").toString();
  }
}
