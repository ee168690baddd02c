package dev.jgpt.common;

import java.lang.reflect.RecordComponent;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes Java values as JSON, compact ({@code indent == null}) or indented. Arrays whose elements
 * are all numbers, strings, booleans or null stay on one line when indenting, so a list of
 * merges or a shape reads as one line each.
 */
final class JsonWriter {
  private final StringBuilder out;
  private final String indent; // null: compact
  private int level;

  JsonWriter(StringBuilder out, String indent) {
    this.out = out;
    this.indent = indent;
  }

  void value(Object v) {
    switch (v) {
      case null -> out.append("null");
      case CharSequence s -> string(s, out);
      case Boolean b -> out.append(b);
      case Double d -> number(d);
      case Float f -> number(f);
      case Number n -> out.append(n.toString()); // Long, Integer, Short, Byte, BigInteger, BigDecimal
      case Character c -> string(String.valueOf(c), out);
      case Enum<?> e -> string(e.name(), out);
      case Map<?, ?> m -> object(m);
      case Iterable<?> it -> array(it.iterator());
      case int[] a -> {
        out.append('[');
        for (int i = 0; i < a.length; i++) out.append(i == 0 ? "" : separator()).append(a[i]);
        out.append(']');
      }
      case long[] a -> {
        out.append('[');
        for (int i = 0; i < a.length; i++) out.append(i == 0 ? "" : separator()).append(a[i]);
        out.append(']');
      }
      case float[] a -> {
        out.append('[');
        for (int i = 0; i < a.length; i++) {
          if (i > 0) out.append(separator());
          number(a[i]);
        }
        out.append(']');
      }
      case double[] a -> {
        out.append('[');
        for (int i = 0; i < a.length; i++) {
          if (i > 0) out.append(separator());
          number(a[i]);
        }
        out.append(']');
      }
      case Object[] a -> array(java.util.Arrays.asList(a).iterator());
      case Record r -> record(r);
      default -> throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
    }
  }

  private void number(double d) {
    if (!Double.isFinite(d)) {
      out.append("null");
    } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      // 3.0 reads as a float to humans and to Python; keep the ".0".
      out.append((long) d).append(".0");
    } else {
      out.append(d); // Double.toString: shortest repr that round-trips; "1.0E-5" is valid JSON
    }
  }

  private void number(float f) {
    if (!Float.isFinite(f)) {
      out.append("null");
    } else if (f == Math.rint(f) && Math.abs(f) < 1e7f) {
      out.append((long) f).append(".0");
    } else {
      out.append(f);
    }
  }

  private void object(Map<?, ?> m) {
    if (m.isEmpty()) {
      out.append("{}");
      return;
    }
    out.append('{');
    level++;
    boolean first = true;
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!first) out.append(',');
      first = false;
      newline();
      string(String.valueOf(e.getKey()), out);
      out.append(indent == null ? ":" : ": ");
      value(e.getValue());
    }
    level--;
    newline();
    out.append('}');
  }

  private void record(Record r) {
    Map<String, Object> fields = new java.util.LinkedHashMap<>();
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      try {
        fields.put(c.getName(), c.getAccessor().invoke(r));
      } catch (ReflectiveOperationException e) {
        throw new IllegalArgumentException("cannot read record component " + c.getName(), e);
      }
    }
    object(fields);
  }

  private void array(Iterator<?> it) {
    java.util.List<Object> items = new java.util.ArrayList<>();
    it.forEachRemaining(items::add);
    if (items.isEmpty()) {
      out.append("[]");
      return;
    }
    boolean flat = indent == null || items.stream().allMatch(JsonWriter::isScalar);
    out.append('[');
    if (flat) {
      for (int i = 0; i < items.size(); i++) {
        if (i > 0) out.append(separator());
        value(items.get(i));
      }
      out.append(']');
      return;
    }
    level++;
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) out.append(',');
      newline();
      value(items.get(i));
    }
    level--;
    newline();
    out.append(']');
  }

  private static boolean isScalar(Object v) {
    return v == null || v instanceof Number || v instanceof CharSequence || v instanceof Boolean
        || v instanceof int[] || v instanceof long[] || v instanceof float[] || v instanceof double[]
        || (v instanceof java.util.List<?> l && l.stream().allMatch(x -> x == null || x instanceof Number));
  }

  private String separator() {
    return indent == null ? "," : ", ";
  }

  private void newline() {
    if (indent == null) return;
    out.append('\n');
    for (int i = 0; i < level; i++) out.append(indent);
  }

  static void string(CharSequence s, StringBuilder out) {
    out.append('"');
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
            out.append("\\u").append(JsonReader.hex4(c));
          } else if (Character.isSurrogate(c)) {
            // A valid pair is copied as is; a lone surrogate is escaped so the output stays valid UTF-8.
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
              out.append(c).append(s.charAt(++i));
            } else {
              out.append("\\u").append(JsonReader.hex4(c));
            }
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
