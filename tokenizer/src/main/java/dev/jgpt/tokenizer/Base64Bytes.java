package dev.jgpt.tokenizer;

/** Standard base64 (with padding) decoded straight from a byte range, for rank files. */
final class Base64Bytes {
  private Base64Bytes() {}

  private static final byte[] VALUE = new byte[128]; // -1: not a base64 character

  static {
    java.util.Arrays.fill(VALUE, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; i++) VALUE[alphabet.charAt(i)] = (byte) i;
  }

  /** The bytes {@code b[from, to)} encode, or null if it is not valid padded base64. */
  static byte[] decode(byte[] b, int from, int to) {
    int len = to - from;
    if (len == 0 || len % 4 != 0) return null;
    int pad = b[to - 1] == '=' ? (b[to - 2] == '=' ? 2 : 1) : 0;
    byte[] out = new byte[len / 4 * 3 - pad];
    int o = 0;
    for (int i = from; i < to; i += 4) {
      int acc = 0;
      for (int k = 0; k < 4; k++) {
        int c = b[i + k];
        int v;
        if (c == '=' && i + 4 == to && k >= 4 - pad) {
          v = 0;
        } else if (c < 0 || (v = VALUE[c]) < 0) {
          return null;
        }
        acc = acc << 6 | v;
      }
      out[o++] = (byte) (acc >> 16);
      if (o < out.length) out[o++] = (byte) (acc >> 8);
      if (o < out.length) out[o++] = (byte) acc;
    }
    return out;
  }
}
