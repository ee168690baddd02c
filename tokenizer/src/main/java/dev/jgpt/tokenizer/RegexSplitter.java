package dev.jgpt.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits with any regular expression, compiled with {@code UNICODE_CHARACTER_CLASS} so that
 * {@code \s}, {@code \w} and case-insensitive matching follow Unicode as tiktoken's do. Text no
 * match covers becomes a piece of its own (tiktoken drops it; we keep encoding lossless).
 */
final class RegexSplitter implements Splitter {
  private final Pattern pattern;

  RegexSplitter(Pattern pattern) {
    this.pattern = pattern;
  }

  @Override
  public void split(byte[] text, int start, int end, PieceConsumer out) {
    String s = new String(text, start, end - start, StandardCharsets.UTF_8);
    Matcher m = pattern.matcher(s);
    OffsetMap offsets = new OffsetMap(s, start);
    int covered = 0; // chars of s reported so far
    while (m.find()) {
      if (m.end() == m.start()) continue;
      if (m.start() > covered) out.piece(offsets.byteOffset(covered), offsets.byteOffset(m.start()));
      out.piece(offsets.byteOffset(m.start()), offsets.byteOffset(m.end()));
      covered = m.end();
    }
    if (covered < s.length()) out.piece(offsets.byteOffset(covered), end);
  }

  /** Maps increasing char indexes of a string to byte offsets of its UTF-8 encoding. */
  static final class OffsetMap {
    private final String s;
    private int charIndex;
    private int byteIndex;

    OffsetMap(String s, int byteStart) {
      this.s = s;
      this.byteIndex = byteStart;
    }

    int byteOffset(int target) {
      while (charIndex < target) {
        char c = s.charAt(charIndex++);
        if (c < 0x80) {
          byteIndex += 1;
        } else if (c < 0x800) {
          byteIndex += 2;
        } else if (Character.isHighSurrogate(c)) {
          byteIndex += 4; // with its low surrogate: the text came from valid UTF-8, so pairs are whole
          charIndex++;
        } else {
          byteIndex += 3;
        }
      }
      return byteIndex;
    }
  }
}
