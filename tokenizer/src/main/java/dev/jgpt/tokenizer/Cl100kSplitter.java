package dev.jgpt.tokenizer;

import static dev.jgpt.tokenizer.CharClass.LETTER;
import static dev.jgpt.tokenizer.CharClass.NUMBER;
import static dev.jgpt.tokenizer.CharClass.OTHER;
import static dev.jgpt.tokenizer.CharClass.SPACE;

/**
 * The cl100k (GPT-4) split pattern written out by hand; it gives exactly the matches of
 * <pre>{@code
 * (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*
 *   |\s*[\r\n]+|\s+(?!\S)|\s+
 * }</pre>
 * (tested against the regex), alternatives tried in that order at each position.
 */
final class Cl100kSplitter implements Splitter {
  @Override
  public void split(byte[] text, int start, int end, PieceConsumer out) {
    int i = start;
    while (i < end) {
      int e = pieceEnd(text, i, end);
      out.piece(i, e);
      i = e;
    }
  }

  static int pieceEnd(byte[] t, int i, int end) {
    byte b = t[i];
    if (b == '\'') {
      int n = contraction(t, i + 1, end);
      if (n > 0) return i + 1 + n;
    }
    byte cls = ByteScan.classAt(t, i);
    if (cls == LETTER) return ByteScan.run(t, i, end, LETTER);
    // [^\r\n\p{L}\p{N}]?\p{L}+ : any one non-newline, non-number character may lead a word.
    int second = ByteScan.next(t, i);
    if (cls != NUMBER && b != '\r' && b != '\n' && second < end && ByteScan.classAt(t, second) == LETTER) {
      return ByteScan.run(t, second, end, LETTER);
    }
    if (cls == NUMBER) return numbers(t, i, end);
    if (cls == OTHER) return newlines(t, ByteScan.run(t, i, end, OTHER), end);
    if (b == ' ' && second < end && ByteScan.classAt(t, second) == OTHER) {
      return newlines(t, ByteScan.run(t, second, end, OTHER), end);
    }
    return whitespaceEnd(t, i, end);
  }

  /** \p{N}{1,3} */
  private static int numbers(byte[] t, int i, int end) {
    for (int k = 0; k < 3 && i < end && ByteScan.classAt(t, i) == NUMBER; k++) i = ByteScan.next(t, i);
    return i;
  }

  /** [\r\n]* */
  private static int newlines(byte[] t, int i, int end) {
    while (i < end && (t[i] == '\r' || t[i] == '\n')) i++;
    return i;
  }

  /**
   * {@code \s*[\r\n]+|\s+(?!\S)|\s+}: up to and including the run's last newline if it has one;
   * otherwise the run minus its last character when a non-space follows.
   */
  private static int whitespaceEnd(byte[] t, int i, int end) {
    int j = i;
    int last = i;
    int afterNewline = -1;
    while (j < end && ByteScan.classAt(t, j) == SPACE) {
      last = j;
      byte c = t[j];
      j = ByteScan.next(t, j);
      if (c == '\r' || c == '\n') afterNewline = j;
    }
    if (afterNewline > 0) return afterNewline;
    if (j == end) return j;
    return last > i ? last : j;
  }

  /**
   * Bytes after the apostrophe of 's 't 'm 'd 're 've 'll in any case, or 0. Unicode case
   * folding also maps U+017F LATIN SMALL LETTER LONG S (UTF-8 C5 BF) to 's'.
   */
  private static int contraction(byte[] t, int p, int end) {
    if (p >= end) return 0;
    int c = t[p] | 0x20; // ASCII lower case (harmless for the other bytes we compare)
    if (c == 's' || c == 't' || c == 'm' || c == 'd') return 1;
    if (t[p] == (byte) 0xC5 && p + 1 < end && t[p + 1] == (byte) 0xBF) return 2;
    if (p + 1 >= end) return 0;
    int d = t[p + 1] | 0x20;
    if ((c == 'r' || c == 'v') && d == 'e') return 2;
    if (c == 'l' && d == 'l') return 2;
    return 0;
  }
}
