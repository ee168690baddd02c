package dev.jgpt.common;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Recursive-descent JSON parser (RFC 8259); errors name the line and column. */
final class JsonReader {
  /** Deeper nesting than this is certainly not one of our files; refuse before the stack overflows. */
  private static final int MAX_DEPTH = 512;

  private final CharSequence text;
  private int pos;
  private int depth;

  JsonReader(CharSequence text) {
    this.text = text;
  }

  Object readDocument() {
    skipWhitespace();
    Object value = readValue();
    skipWhitespace();
    if (pos < text.length()) throw error("unexpected text after the JSON value");
    return value;
  }

  private Object readValue() {
    if (pos >= text.length()) throw error("unexpected end of input");
    char c = text.charAt(pos);
    return switch (c) {
      case '{' -> readObject();
      case '[' -> readArray();
      case '"' -> readString();
      case 't' -> readLiteral("true", Boolean.TRUE);
      case 'f' -> readLiteral("false", Boolean.FALSE);
      case 'n' -> readLiteral("null", null);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) yield readNumber();
        throw error("unexpected character '" + printable(c) + "'");
      }
    };
  }

  private Map<String, Object> readObject() {
    enter();
    pos++; // '{'
    Map<String, Object> map = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      depth--;
      return map;
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') throw error("expected a quoted key");
      String key = readString();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      if (map.containsKey(key)) throw error("duplicate key \"" + key + "\"");
      map.put(key, readValue());
      skipWhitespace();
      char c = next();
      if (c == '}') break;
      if (c != ',') throw errorAt(pos - 1, "expected ',' or '}'");
    }
    depth--;
    return map;
  }

  private List<Object> readArray() {
    enter();
    pos++; // '['
    List<Object> list = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      depth--;
      return list;
    }
    while (true) {
      skipWhitespace();
      list.add(readValue());
      skipWhitespace();
      char c = next();
      if (c == ']') break;
      if (c != ',') throw errorAt(pos - 1, "expected ',' or ']'");
    }
    depth--;
    return list;
  }

  private String readString() {
    pos++; // opening quote
    StringBuilder sb = null;
    int runStart = pos;
    while (true) {
      if (pos >= text.length()) throw error("unterminated string");
      char c = text.charAt(pos);
      if (c == '"') {
        String s = sb == null ? text.subSequence(runStart, pos).toString()
            : sb.append(text, runStart, pos).toString();
        pos++;
        return s;
      }
      if (c < 0x20) throw error("control character in string (escape it as \\u" + hex4(c) + ")");
      if (c != '\\') {
        pos++;
        continue;
      }
      if (sb == null) sb = new StringBuilder();
      sb.append(text, runStart, pos);
      pos++;
      char e = next();
      switch (e) {
        case '"' -> sb.append('"');
        case '\\' -> sb.append('\\');
        case '/' -> sb.append('/');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> sb.append(readHex4());
        default -> throw errorAt(pos - 1, "invalid escape '\\" + printable(e) + "'");
      }
      runStart = pos;
    }
  }

  private char readHex4() {
    if (pos + 4 > text.length()) throw error("truncated \\u escape");
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(text.charAt(pos + i), 16);
      if (d < 0) throw errorAt(pos + i, "invalid hex digit in \\u escape");
      v = v * 16 + d;
    }
    pos += 4;
    return (char) v;
  }

  private Object readNumber() {
    int start = pos;
    boolean integral = true;
    if (peek() == '-') pos++;
    if (peek() == '0') {
      pos++;
    } else if (isDigit(peek())) {
      while (isDigit(peek())) pos++;
    } else {
      throw error("expected a digit");
    }
    if (peek() == '.') {
      integral = false;
      pos++;
      if (!isDigit(peek())) throw error("expected a digit after '.'");
      while (isDigit(peek())) pos++;
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      pos++;
      if (peek() == '+' || peek() == '-') pos++;
      if (!isDigit(peek())) throw error("expected a digit in the exponent");
      while (isDigit(peek())) pos++;
    }
    String s = text.subSequence(start, pos).toString();
    if (integral && pos - start <= 18) return Long.parseLong(s);
    if (integral) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException tooBig) {
        return Double.parseDouble(s);
      }
    }
    return Double.parseDouble(s);
  }

  private Object readLiteral(String word, Object value) {
    if (pos + word.length() > text.length() || !text.subSequence(pos, pos + word.length()).toString().equals(word)) {
      throw error("invalid literal (expected " + word + ")");
    }
    pos += word.length();
    return value;
  }

  private void enter() {
    if (++depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH + " levels");
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
      pos++;
    }
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private char next() {
    if (pos >= text.length()) throw error("unexpected end of input");
    return text.charAt(pos++);
  }

  private void expect(char c) {
    if (peek() != c) throw error("expected '" + c + "'");
    pos++;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private IllegalArgumentException error(String message) {
    return errorAt(pos, message);
  }

  private IllegalArgumentException errorAt(int at, String message) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < Math.min(at, text.length()); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new IllegalArgumentException("malformed JSON at line " + line + ", column " + column + ": " + message);
  }

  private static String printable(char c) {
    return c < 0x20 || c > 0x7e ? "\\u" + hex4(c) : String.valueOf(c);
  }

  static String hex4(int c) {
    String h = Integer.toHexString(c);
    return "0000".substring(h.length()) + h;
  }
}
