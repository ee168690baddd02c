package dev.jgpt.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void parsesEveryValueKind() {
    Object v = Json.parse(" {\"a\": [1, -2, 3.5, 1e3, true, false, null], \"b\": {\"c\": \"x\\ny\"}} ");
    Map<?, ?> m = assertInstanceOf(Map.class, v);
    assertEquals(List.of(1L, -2L, 3.5, 1000.0, true, false), ((List<?>) m.get("a")).subList(0, 6));
    assertNull(((List<?>) m.get("a")).get(6));
    assertEquals(Map.of("c", "x\ny"), m.get("b"));
  }

  @Test
  void keepsKeyOrder() {
    Map<String, Object> m = Json.parseObject("{\"z\":1,\"a\":2,\"m\":3}");
    assertEquals(List.of("z", "a", "m"), List.copyOf(m.keySet()));
  }

  @Test
  void decodesEscapesIncludingSurrogatePairs() {
    assertEquals("\"\\/\b\f\n\r\t\u00e9\uD83D\uDE00", Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00E9\\ud83d\\ude00\""));
  }

  @Test
  void integersBecomeLongsAndOthersDoubles() {
    assertEquals(9007199254740993L, Json.parse("9007199254740993"));
    assertEquals(-0.0, Json.parse("-0.0"));
    assertEquals(1e-7, Json.parse("1E-7"));
    assertEquals(1e30, Json.parse("1000000000000000000000000000000"));
  }

  @Test
  void writesCompactAndEscaped() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("s", "q\"b\\c\u0001\n\u2028");
    m.put("i", new int[] {1, 2});
    m.put("d", 0.1);
    m.put("whole", 3.0);
    m.put("nan", Double.NaN);
    m.put("f", 1.0e-5f);
    m.put("l", List.of(true, "x"));
    m.put("n", null);
    assertEquals("{\"s\":\"q\\\"b\\\\c\\u0001\\n\\u2028\",\"i\":[1,2],\"d\":0.1,\"whole\":3.0,"
        + "\"nan\":null,\"f\":1.0E-5,\"l\":[true,\"x\"],\"n\":null}", Json.write(m));
  }

  @Test
  void loneSurrogatesAreEscapedAndReadBack() {
    String s = "a\uD800b\uDC00c\uD83D\uDE00";
    String json = Json.write(s);
    assertEquals("\"a\\ud800b\\udc00c\uD83D\uDE00\"", json);
    assertEquals(s, Json.parse(json));
  }

  record Shape(String name, int[] dims) {}

  @Test
  void writesRecordsAndEnumsAndPrettyPrints() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("shape", new Shape("wte", new int[] {50257, 768}));
    m.put("mode", Thread.State.NEW);
    m.put("merges", List.of(List.of(1L, 2L), List.of(3L, 4L)));
    m.put("empty", Map.of());
    String pretty = Json.writePretty(m);
    assertEquals("""
        {
          "shape": {
            "name": "wte",
            "dims": [50257, 768]
          },
          "mode": "NEW",
          "merges": [[1, 2], [3, 4]],
          "empty": {}
        }
        """, pretty);
  }

  @Test
  void roundTripsRandomDocuments() {
    Random rnd = new Random(7);
    for (int trial = 0; trial < 300; trial++) {
      Object doc = randomValue(rnd, 0);
      assertEquals(doc, Json.parse(Json.write(doc)), "compact");
      assertEquals(doc, Json.parse(Json.writePretty(doc)), "pretty");
    }
  }

  private static Object randomValue(Random rnd, int depth) {
    int kind = rnd.nextInt(depth > 3 ? 5 : 7);
    switch (kind) {
      case 0: return null;
      case 1: return rnd.nextBoolean();
      case 2: return rnd.nextLong() >> rnd.nextInt(64);
      case 3: return rnd.nextDouble() * Math.pow(10, rnd.nextInt(40) - 20) + 0.5;
      case 4: {
        StringBuilder sb = new StringBuilder();
        int n = rnd.nextInt(12);
        for (int i = 0; i < n; i++) sb.append((char) (rnd.nextBoolean() ? rnd.nextInt(0x80) : rnd.nextInt(0x10000)));
        return sb.toString();
      }
      case 5: {
        List<Object> l = new java.util.ArrayList<>();
        int n = rnd.nextInt(5);
        for (int i = 0; i < n; i++) l.add(randomValue(rnd, depth + 1));
        return l;
      }
      default: {
        Map<String, Object> m = new LinkedHashMap<>();
        int n = rnd.nextInt(5);
        for (int i = 0; i < n; i++) m.put("k" + rnd.nextInt(100), randomValue(rnd, depth + 1));
        return m;
      }
    }
  }

  @Test
  void malformedInputNamesLineAndColumn() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse("{\n  \"a\": 1,\n  \"b\" 2\n}"));
    assertEquals("malformed JSON at line 3, column 7: expected ':'", e.getMessage());
    for (String bad : Arrays.asList("", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "tru", "\"abc", "\"\\x\"",
        "\"a\u0001\"", "[1] 2", "{\"a\":1,\"a\":2}", "\"\\u12\"", "NaN")) {
      IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
      assertTrue(ex.getMessage().startsWith("malformed JSON at line 1"), ex.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> Json.parse("[".repeat(10_000)));
  }

  @Test
  void typedGettersCheckTypes() {
    Map<String, Object> m = Json.parseObject("{\"n\": 3, \"x\": 2.0, \"s\": \"v\", \"b\": true}");
    assertEquals(3, Json.getInt(m, "n", 0));
    assertEquals(2L, Json.getLong(m, "x", 0));
    assertEquals(7, Json.getInt(m, "missing", 7));
    assertEquals("v", Json.getString(m, "s", null));
    assertTrue(Json.getBoolean(m, "b", false));
    assertEquals("\"s\" should be an integer but is a string",
        assertThrows(IllegalArgumentException.class, () -> Json.getLong(m, "s", 0)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Json.parseObject("[1]"));
  }
}
