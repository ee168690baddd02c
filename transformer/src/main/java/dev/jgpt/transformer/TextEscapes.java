package dev.jgpt.transformer;

/**
 * Shows token text so that whitespace and control characters are visible: a token that is a
 * newline prints as {@code "\n"}, not as a line break that breaks a table.
 */
public final class TextEscapes {
  private TextEscapes() {}

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
          if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    return sb.toString();
  }
}
