package dev.jgpt.common;

import java.util.List;
import java.util.Map;

/**
 * A small dependency-free JSON reader and writer for jgpt's own files (tokenizer.json,
 * config.json, state.json, metrics.jsonl).
 *
 * <p>Parsing gives plain Java values: objects are {@link java.util.LinkedHashMap}s (key order
 * kept), arrays are {@link java.util.ArrayList}s, strings are {@code String}, numbers are
 * {@code Long} when written without fraction or exponent and they fit, otherwise {@code Double},
 * and {@code true}/{@code false}/{@code null} are {@code Boolean} and {@code null}. Malformed text
 * throws {@link IllegalArgumentException} naming the line and column.
 *
 * <p>Writing accepts those types plus any {@link Map}, {@link Iterable}, Java arrays ({@code
 * int[]}, {@code long[]}, {@code float[]}, {@code double[]}, {@code Object[]}), {@link Number}s,
 * {@link CharSequence}s, enums (by name) and records (as objects of their components).
 * Non-finite floats are written as {@code null} (JSON has no NaN). In strings, quotes,
 * backslashes, control characters and lone surrogates are escaped; other characters are written
 * as they are (write the result as UTF-8).
 *
 * <pre>{@code
 * Map<String, Object> config = Json.parseObject(Files.readString(path));
 * long steps = Json.getLong(config, "steps", 1000);
 * String line = Json.write(Map.of("step", 10, "loss", 3.25));      // one line, for .jsonl
 * String file = Json.writePretty(config);                             // indented, for files
 * }</pre>
 */
public final class Json {
  private Json() {}

  /** Parses one JSON value; anything but whitespace after it is an error. */
  public static Object parse(CharSequence text) {
    return new JsonReader(text).readDocument();
  }

  /** Parses a JSON document that must be an object. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> parseObject(CharSequence text) {
    Object value = parse(text);
    if (!(value instanceof Map)) {
      throw new IllegalArgumentException("expected a JSON object but found " + typeName(value));
    }
    return (Map<String, Object>) value;
  }

  /** Compact JSON on one line (what a .jsonl file wants). */
  public static String write(Object value) {
    StringBuilder out = new StringBuilder();
    new JsonWriter(out, null).value(value);
    return out.toString();
  }

  /** Indented JSON (two spaces); arrays of numbers stay on one line. */
  public static String writePretty(Object value) {
    StringBuilder out = new StringBuilder();
    new JsonWriter(out, "  ").value(value);
    return out.append('\n').toString();
  }

  /** Appends compact JSON to {@code out}. */
  public static void write(Object value, StringBuilder out) {
    new JsonWriter(out, null).value(value);
  }

  /** Appends {@code s} as a quoted, escaped JSON string. */
  public static void writeString(CharSequence s, StringBuilder out) {
    JsonWriter.string(s, out);
  }

  // ---- typed access to parsed objects; a wrong type is a one-line IllegalArgumentException ----

  public static String getString(Map<String, Object> obj, String key, String fallback) {
    Object v = obj.get(key);
    if (v == null) return fallback;
    if (v instanceof String s) return s;
    throw wrongType(key, "a string", v);
  }

  public static long getLong(Map<String, Object> obj, String key, long fallback) {
    Object v = obj.get(key);
    if (v == null) return fallback;
    if (v instanceof Long l) return l;
    if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p53) return d.longValue();
    throw wrongType(key, "an integer", v);
  }

  public static int getInt(Map<String, Object> obj, String key, int fallback) {
    long v = getLong(obj, key, fallback);
    if (v != (int) v) throw new IllegalArgumentException("\"" + key + "\" is out of range for an int: " + v);
    return (int) v;
  }

  public static double getDouble(Map<String, Object> obj, String key, double fallback) {
    Object v = obj.get(key);
    if (v == null) return fallback;
    if (v instanceof Number n) return n.doubleValue();
    throw wrongType(key, "a number", v);
  }

  public static boolean getBoolean(Map<String, Object> obj, String key, boolean fallback) {
    Object v = obj.get(key);
    if (v == null) return fallback;
    if (v instanceof Boolean b) return b;
    throw wrongType(key, "true or false", v);
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> getObject(Map<String, Object> obj, String key) {
    Object v = obj.get(key);
    if (v == null) return null;
    if (v instanceof Map) return (Map<String, Object>) v;
    throw wrongType(key, "an object", v);
  }

  @SuppressWarnings("unchecked")
  public static List<Object> getList(Map<String, Object> obj, String key) {
    Object v = obj.get(key);
    if (v == null) return null;
    if (v instanceof List) return (List<Object>) v;
    throw wrongType(key, "an array", v);
  }

  static String typeName(Object v) {
    if (v == null) return "null";
    if (v instanceof Map) return "an object";
    if (v instanceof List) return "an array";
    if (v instanceof String) return "a string";
    if (v instanceof Boolean) return "a boolean";
    return "a number";
  }

  private static IllegalArgumentException wrongType(String key, String wanted, Object found) {
    return new IllegalArgumentException("\"" + key + "\" should be " + wanted + " but is " + typeName(found));
  }
}
