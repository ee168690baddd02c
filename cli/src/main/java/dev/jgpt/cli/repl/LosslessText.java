package dev.jgpt.cli.repl;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bytes in any encoding as a Java string and back, without loss: valid UTF-8 decodes as usual and
 * each byte of an invalid sequence becomes the lone surrogate U+DC80..U+DCFF (Python's
 * "surrogateescape", PEP 383). The REPL's lines stay strings while :score and the tokenizer see
 * the bytes that were piped in (a Latin-1 'é' is one byte, not a 3-byte U+FFFD).
 */
final class LosslessText {
  private static final char ESCAPE_BASE = 0xDC00; // byte b >= 0x80 <-> U+DC00 + b

  private LosslessText() {}

  /** {@code bytes[from, to)} as a string; invalid UTF-8 bytes become escapes. */
  static String decode(byte[] bytes, int from, int to) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
    CharBuffer out = CharBuffer.allocate(to - from + 1);
    while (true) {
      CoderResult r = decoder.decode(in, out, true);
      if (r.isError()) {
        for (int k = 0; k < r.length(); k++) out.put((char) (ESCAPE_BASE + (in.get() & 0xFF)));
      } else if (r.isOverflow()) {
        throw new IllegalStateException("a decoded string is never longer than its bytes");
      } else {
        break; // underflow at the end of the input: all of it decoded
      }
    }
    decoder.flush(out);
    return out.flip().toString();
  }

  /** The bytes {@code text} stands for: UTF-8, with each escape back as its byte. */
  static byte[] encode(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() + 16);
    int runStart = 0;
    for (int i = 0; i < text.length(); i++) {
      if (!isEscape(text, i)) continue;
      out.writeBytes(text.substring(runStart, i).getBytes(StandardCharsets.UTF_8));
      out.write(text.charAt(i) - ESCAPE_BASE);
      runStart = i + 1;
    }
    if (runStart == 0) return text.getBytes(StandardCharsets.UTF_8);
    out.writeBytes(text.substring(runStart).getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  /** A lone low surrogate in U+DC80..U+DCFF (a pair's second half is a character, not an escape). */
  private static boolean isEscape(String s, int i) {
    char c = s.charAt(i);
    return c >= ESCAPE_BASE + 0x80 && c <= ESCAPE_BASE + 0xFF && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
  }
}
