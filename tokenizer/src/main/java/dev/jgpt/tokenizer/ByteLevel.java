package dev.jgpt.tokenizer;

/**
 * GPT-2's byte-level alphabet: every byte is shown as one printable character (printable
 * Latin-1 bytes as themselves, the others as U+0100 onwards; a space is 'Ġ'), which is how
 * vocab.json, merges.txt and our tokenizer file write token bytes.
 */
final class ByteLevel {
  private ByteLevel() {}

  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final short[] CHAR_TO_BYTE = new short[512]; // -1 where not in the alphabet

  static {
    java.util.Arrays.fill(CHAR_TO_BYTE, (short) -1);
    int extra = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      char c = printable ? (char) b : (char) (256 + extra++);
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = (short) b;
    }
  }

  static String encode(byte[] bytes) {
    char[] out = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
    return new String(out);
  }

  /** The bytes a byte-level string stands for; null if it has a character outside the alphabet. */
  static byte[] decode(String s) {
    byte[] out = new byte[s.length()];
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= CHAR_TO_BYTE.length || CHAR_TO_BYTE[c] < 0) return null;
      out[i] = (byte) CHAR_TO_BYTE[c];
    }
    return out;
  }
}
