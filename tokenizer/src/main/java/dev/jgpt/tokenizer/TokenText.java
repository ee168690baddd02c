package dev.jgpt.tokenizer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Token text made visible, the one rendering the REPL and the web page share: whitespace and
 * control characters escaped (a newline token prints as {@code "\n"}, not as a line break that
 * breaks a table), and a token that is only part of a UTF-8 character shown as its bytes
 * ({@code "\xe2"}) rather than as a replacement character. {@link #unescape} reads the escapes
 * back, so typed settings (stop strings) and saved REPL sessions can carry any text on one line.
 */
public final class TokenText {
  private TokenText() {}

  /**
   * Token {@code id} as it shows in tables: its {@link #render rendered} bytes in double quotes,
   * or {@code <id N>} for an id outside the vocabulary.
   */
  public static String quoted(Tokenizer tokenizer, int id) {
    if (!tokenizer.isValidId(id)) return "<id " + id + ">";
    return "\"" + render(tokenizer.tokenBytes(id)) + "\"";
  }

  /**
   * A token's bytes as one line of text, without quotes: valid UTF-8 {@link #escape escaped};
   * otherwise (a piece of a multi-byte character) printable ASCII as itself and every other byte
   * as {@code \xNN}.
   */
  public static String render(byte[] bytes) {
    try {
      String s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
      return escape(s);
    } catch (CharacterCodingException e) {
      StringBuilder sb = new StringBuilder();
      for (byte b : bytes) {
        if (b >= 0x20 && b < 0x7f) sb.append(escape(String.valueOf((char) b)));
        else sb.append(String.format(Locale.ROOT, "\\x%02x", b & 0xff));
      }
      return sb.toString();
    }
  }

  /** {@code s} in double quotes with \n, \t, \r, \\, \" and other control characters escaped. */
  public static String quote(String s) {
    return "\"" + escape(s) + "\"";
  }

  /** {@code s} with \n, \t, \r, \\, \" and other control characters (as \\uXXXX) escaped. */
  public static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        case '\r' -> sb.append("\\r");
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        default -> {
          if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    return sb.toString();
  }

  /**
   * The inverse of {@link #escape}: \n, \t, \r, \\, \" and \\uXXXX become the characters they
   * stand for. A backslash before anything else (or at the end) stays as it is, so Windows paths
   * and regular expressions typed by hand survive.
   */
  public static String unescape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 == s.length()) {
        sb.append(c);
        continue;
      }
      char e = s.charAt(i + 1);
      switch (e) {
        case 'n' -> sb.append('\n');
        case 't' -> sb.append('\t');
        case 'r' -> sb.append('\r');
        case '\\' -> sb.append('\\');
        case '"' -> sb.append('"');
        case 'u' -> {
          int code = i + 6 <= s.length() ? hex4(s, i + 2) : -1;
          if (code < 0) {
            sb.append("\\u");
          } else {
            sb.append((char) code);
            i += 4;
          }
        }
        default -> sb.append('\\').append(e);
      }
      i++;
    }
    return sb.toString();
  }

  /** The four hex digits at s[from .. from+4) as a number, or -1 when they are not four hex digits. */
  private static int hex4(String s, int from) {
    int value = 0;
    for (int k = from; k < from + 4; k++) {
      int digit = Character.digit(s.charAt(k), 16);
      if (digit < 0) return -1;
      value = value * 16 + digit;
    }
    return value;
  }
}
