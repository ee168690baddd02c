package dev.jgpt.tokenizer;

/** Character-class scanning over valid UTF-8, shared by the hand-written splitters. */
final class ByteScan {
  private ByteScan() {}

  /** Classes of the ASCII characters, so the common case never decodes or calls into Character. */
  private static final byte[] ASCII = new byte[128];

  static {
    for (int c = 0; c < 128; c++) ASCII[c] = CharClass.of(c);
  }

  /** Class of the code point starting at {@code t[i]}. */
  static byte classAt(byte[] t, int i) {
    byte b = t[i];
    return b >= 0 ? ASCII[b] : CharClass.of(Utf8.codePointAt(t, i));
  }

  /** End of the run of code points of class {@code cls} starting at {@code i}. */
  static int run(byte[] t, int i, int end, byte cls) {
    while (i < end) {
      byte b = t[i];
      if (b >= 0) {
        if (ASCII[b] != cls) return i;
        i++;
      } else {
        if (CharClass.of(Utf8.codePointAt(t, i)) != cls) return i;
        i += Utf8.lengthOfLead(b);
      }
    }
    return end;
  }

  static int next(byte[] t, int i) {
    return i + Utf8.lengthOfLead(t[i]);
  }
}
