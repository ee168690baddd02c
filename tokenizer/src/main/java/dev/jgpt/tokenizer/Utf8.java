package dev.jgpt.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * UTF-8 with the same edge-case behaviour as tiktoken (and Python's {@code errors="replace"}).
 *
 * <p>Encoding: a lone surrogate in a Java string becomes U+FFFD (Java's own encoder writes
 * {@code '?'}). Decoding: each maximal ill-formed subpart (Unicode 3.9, table 3-7) becomes one
 * U+FFFD; Java's decoder differs on surrogate encodings such as {@code ED A0 80}, so the slow
 * path is ours.
 */
final class Utf8 {
  private Utf8() {}

  static final char REPLACEMENT = '\uFFFD';

  /** UTF-8 bytes of {@code s}, lone surrogates replaced by U+FFFD. */
  static byte[] encode(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    // Java writes a lone surrogate as '?': without a '?' there is nothing to fix.
    if (!containsQuestionMark(bytes) || !hasLoneSurrogate(s)) return bytes;
    return replaceLoneSurrogates(s).getBytes(StandardCharsets.UTF_8);
  }

  private static boolean containsQuestionMark(byte[] b) {
    for (byte x : b) if (x == '?') return true;
    return false;
  }

  static boolean hasLoneSurrogate(CharSequence s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (!Character.isSurrogate(c)) continue;
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else {
        return true;
      }
    }
    return false;
  }

  static String replaceLoneSurrogates(String s) {
    if (!hasLoneSurrogate(s)) return s;
    char[] out = s.toCharArray();
    for (int i = 0; i < out.length; i++) {
      char c = out[i];
      if (!Character.isSurrogate(c)) continue;
      if (Character.isHighSurrogate(c) && i + 1 < out.length && Character.isLowSurrogate(out[i + 1])) {
        i++;
      } else {
        out[i] = REPLACEMENT;
      }
    }
    return new String(out);
  }

  /**
   * The well-formed sequence starting at {@code b[i]}: its length (1..4) if complete and valid,
   * otherwise minus the length of its maximal ill-formed subpart (-1..-3), which is what one
   * U+FFFD replaces.
   */
  static int sequenceLength(byte[] b, int i, int end) {
    int b0 = b[i] & 0xFF;
    if (b0 < 0x80) return 1;
    int continuation; // bytes after the lead
    int lo = 0x80;
    int hi = 0xBF; // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      continuation = 1;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      continuation = 2;
      if (b0 == 0xE0) lo = 0xA0; // no overlong forms
      if (b0 == 0xED) hi = 0x9F; // no surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      continuation = 3;
      if (b0 == 0xF0) lo = 0x90; // no overlong forms
      if (b0 == 0xF4) hi = 0x8F; // nothing above U+10FFFF
    } else {
      return -1; // 80..C1, F5..FF never start a sequence
    }
    if (i + 1 >= end) return -1;
    int b1 = b[i + 1] & 0xFF;
    if (b1 < lo || b1 > hi) return -1;
    for (int k = 2; k <= continuation; k++) {
      if (i + k >= end || (b[i + k] & 0xC0) != 0x80) return -k;
    }
    return continuation + 1;
  }

  /** Length in bytes of the code point whose (valid) lead byte is {@code lead}. */
  static int lengthOfLead(byte lead) {
    int b = lead & 0xFF;
    if (b < 0x80) return 1;
    if (b < 0xE0) return 2;
    if (b < 0xF0) return 3;
    return 4;
  }

  /** The code point at {@code b[i]}, which must start a valid sequence. */
  static int codePointAt(byte[] b, int i) {
    int b0 = b[i] & 0xFF;
    if (b0 < 0x80) return b0;
    if (b0 < 0xE0) return (b0 & 0x1F) << 6 | (b[i + 1] & 0x3F);
    if (b0 < 0xF0) return (b0 & 0x0F) << 12 | (b[i + 1] & 0x3F) << 6 | (b[i + 2] & 0x3F);
    return (b0 & 0x07) << 18 | (b[i + 1] & 0x3F) << 12 | (b[i + 2] & 0x3F) << 6 | (b[i + 3] & 0x3F);
  }

  /** End of the longest valid UTF-8 prefix of {@code b[start, end)}. */
  static int validPrefixEnd(byte[] b, int start, int end) {
    int i = start;
    while (i < end) {
      if (b[i] >= 0) {
        i++;
        continue;
      }
      int n = sequenceLength(b, i, end);
      if (n < 0) return i;
      i += n;
    }
    return end;
  }

  /**
   * If {@code b[start, end)} ends with a proper prefix of a well-formed sequence (a character cut
   * short, which more bytes could complete), the number of those bytes (1..3); otherwise 0.
   */
  static int incompleteTail(byte[] b, int start, int end) {
    for (int k = 1; k <= 3 && end - k >= start; k++) {
      int lead = b[end - k] & 0xFF;
      if ((lead & 0xC0) == 0x80) continue; // continuation byte: look further back
      int n = sequenceLength(b, end - k, end);
      // Cut short exactly at the end: the subpart covers all k bytes and a full sequence would be longer.
      return n == -k && lengthOfLead((byte) lead) > k && lead >= 0xC2 && lead <= 0xF4 ? k : 0;
    }
    return 0;
  }

  /** Decodes {@code b[off, off+len)}; each maximal ill-formed subpart becomes one U+FFFD. */
  static String decode(byte[] b, int off, int len) {
    String fast = new String(b, off, len, StandardCharsets.UTF_8);
    if (fast.indexOf(REPLACEMENT) < 0) return fast; // Java saw valid UTF-8: same answer
    int end = off + len;
    StringBuilder out = new StringBuilder(len);
    int i = off;
    while (i < end) {
      int n = sequenceLength(b, i, end);
      if (n > 0) {
        out.appendCodePoint(codePointAt(b, i));
        i += n;
      } else {
        out.append(REPLACEMENT);
        i += -n;
      }
    }
    return out.toString();
  }
}
