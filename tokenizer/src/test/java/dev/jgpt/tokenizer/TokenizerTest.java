package dev.jgpt.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TokenizerTest {
  private static final Tokenizer TRAINED =
      BpeTrainer.train(TextGen.prose(new Random(1), 100_000) + TextGen.adversarial(new Random(2), 3000), 1200,
          "cl100k", List.of(Tokenizer.END_OF_TEXT, "<|sep|>"), 2, null);

  private static List<Tokenizer> all() {
    return List.of(TRAINED, Tokenizer.bytesOnly(), Fixtures.r50k(), Fixtures.cl100k());
  }

  @Test
  void everyValidStringRoundTrips() {
    Random rnd = new Random(3);
    for (Tokenizer t : all()) {
      for (String s : TextGen.tricky()) assertEquals(s, t.decode(t.encode(s)), TextGen.describe(s));
      for (int i = 0; i < 300; i++) {
        String s = TextGen.adversarial(rnd, rnd.nextInt(100));
        assertEquals(s, t.decode(t.encode(s)), TextGen.describe(s));
      }
    }
  }

  @Test
  void loneSurrogatesEncodeAsReplacementCharacter() {
    // tiktoken: text.encode("utf-16", "surrogatepass").decode("utf-16", "replace") before encoding.
    for (Tokenizer t : all()) {
      assertArrayEquals(t.encode("a\uFFFDb\uFFFD\uFFFDc"), t.encode("a\uD800b\uDC00\uDBFFc"));
      assertEquals("x\uFFFD", t.decode(t.encode("x\uD83D")));
      assertEquals("\uD83D\uDE00", t.decode(t.encode("\uD83D\uDE00")));
    }
  }

  @Test
  void encodeBytesIsLosslessForAnyBytes() {
    Random rnd = new Random(4);
    for (Tokenizer t : all()) {
      for (int i = 0; i < 500; i++) {
        byte[] b = new byte[rnd.nextInt(200)];
        if (i % 2 == 0) {
          rnd.nextBytes(b);
        } else { // mostly text with some damage: the harder case for run boundaries
          byte[] text = TextGen.adversarial(rnd, 30).getBytes(StandardCharsets.UTF_8);
          b = java.util.Arrays.copyOf(text, text.length);
          for (int k = 0; k < 3 && b.length > 0; k++) b[rnd.nextInt(b.length)] = (byte) (0x80 + rnd.nextInt(128));
        }
        int off = b.length == 0 ? 0 : rnd.nextInt(b.length);
        int[] ids = t.encodeBytes(b, off, b.length - off);
        assertArrayEquals(java.util.Arrays.copyOfRange(b, off, b.length), t.decodeBytes(ids));
      }
    }
  }

  @Test
  void encodeBytesOfValidTextEqualsEncode() {
    Random rnd = new Random(5);
    for (Tokenizer t : all()) {
      for (int i = 0; i < 200; i++) {
        String s = TextGen.adversarial(rnd, rnd.nextInt(60));
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(t.encode(s), t.encodeBytes(b, 0, b.length));
      }
    }
  }

  @Test
  void invalidBytesBecomeSingleByteTokensBetweenTextRuns() {
    Tokenizer t = Fixtures.r50k();
    byte[] b = {'a', 'b', (byte) 0xFF, 'c', (byte) 0xE2, (byte) 0x82}; // "ab", FF, "c", cut-short "€"
    int[] ids = t.encodeBytes(b, 0, b.length);
    assertArrayEquals(new int[] {t.encode("ab")[0], byteId(t, 0xFF), t.encode("c")[0], byteId(t, 0xE2), byteId(t, 0x82)}, ids);
  }

  private static int byteId(Tokenizer t, int b) {
    for (int id = 0; id < t.vocabSize(); id++) {
      if (t.isValidId(id) && !t.isSpecial(id) && java.util.Arrays.equals(t.tokenBytes(id), new byte[] {(byte) b})) return id;
    }
    throw new AssertionError();
  }

  /** Python's bytes.decode("utf-8", "replace"), which tiktoken's decode uses: one U+FFFD per maximal ill-formed subpart. */
  @Test
  void decodeReplacesInvalidUtf8LikeTiktoken() {
    String[][] cases = {
      {"e282", "\uFFFD"}, // cut short: one replacement
      {"e282ac", "\u20AC"},
      {"eda080", "\uFFFD\uFFFD\uFFFD"}, // an encoded surrogate: ED, A0, 80 each (Java's decoder gives two)
      {"bbeeedba", "\uFFFD\uFFFD\uFFFD\uFFFD"},
      {"f0808080", "\uFFFD\uFFFD\uFFFD\uFFFD"}, // overlong
      {"f4908080", "\uFFFD\uFFFD\uFFFD\uFFFD"}, // above U+10FFFF
      {"f09f9880", "\uD83D\uDE00"},
      {"f09f98", "\uFFFD"},
      {"c0af", "\uFFFD\uFFFD"},
      {"61ff62", "a\uFFFDb"},
    };
    Tokenizer t = Tokenizer.bytesOnly();
    for (String[] c : cases) {
      byte[] b = HexFormat.of().parseHex(c[0]);
      int[] ids = new int[b.length];
      for (int i = 0; i < b.length; i++) ids[i] = b[i] & 0xFF;
      assertEquals(c[1], t.decode(ids), c[0]);
    }
  }

  @Test
  void specialTokenModes() {
    Tokenizer t = Fixtures.cl100k();
    String text = "a<|endoftext|>b<|endofprompt|>";
    int[] ordinary = t.encode(text);
    assertFalse(java.util.Arrays.stream(ordinary).anyMatch(t::isSpecial));
    assertArrayEquals(ordinary, t.encode(text, SpecialMode.ORDINARY));
    int a = t.encode("a")[0];
    int b = t.encode("b")[0];
    assertArrayEquals(new int[] {a, 100257, b, 100276}, t.encode(text, SpecialMode.ALLOW));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.encode(text, SpecialMode.DISALLOW));
    assertTrue(e.getMessage().contains("<|endoftext|>"), e.getMessage());
    assertArrayEquals(t.encode("plain"), t.encode("plain", SpecialMode.DISALLOW));
    assertEquals(text, t.decode(t.encode(text, SpecialMode.ALLOW)));
    assertArrayEquals("<|endoftext|>".getBytes(StandardCharsets.UTF_8), t.tokenBytes(100257));
  }

  @Test
  void trainedTokenizerAllowsItsOwnSpecials() {
    int sep = TRAINED.specialId("<|sep|>");
    assertEquals(TRAINED.vocabSize() - 1, sep);
    assertEquals(TRAINED.vocabSize() - 2, TRAINED.eotId());
    assertEquals(-1, TRAINED.specialId("<|nope|>"));
    int[] ids = TRAINED.encode("x<|sep|><|endoftext|>", SpecialMode.ALLOW);
    assertArrayEquals(new int[] {'x', sep, TRAINED.eotId()}, ids);
  }

  @Test
  void bytesOnlyIsPureByteLevel() {
    Tokenizer t = Tokenizer.bytesOnly();
    assertEquals(257, t.vocabSize());
    assertEquals(256, t.eotId());
    byte[] b = "h\u00e9".getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(new int[] {'h', b[1] & 0xFF, b[2] & 0xFF}, t.encode("h\u00e9"));
  }

  @Test
  void heapMergeAgreesWithScanMerge() {
    Random rnd = new Random(6);
    for (Tokenizer t : List.of(TRAINED, Fixtures.cl100k(), Fixtures.r50k())) {
      BpeModel model = modelOf(t);
      for (int i = 0; i < 300; i++) {
        byte[] piece = (rnd.nextBoolean() ? TextGen.adversarial(rnd, 60) : "ab".repeat(rnd.nextInt(200)) + "a".repeat(rnd.nextInt(300)))
            .getBytes(StandardCharsets.UTF_8);
        int n = piece.length;
        if (n < 2) continue;
        int[] ids = new int[n];
        for (int k = 0; k < n; k++) ids[k] = model.byteToId[piece[k] & 0xFF];
        int[] copy = ids.clone();
        int byScan = model.mergeByScan(ids, n, new long[n]);
        int byHeap = model.mergeWithHeap(copy, n, new BpeModel.Scratch());
        assertArrayEquals(java.util.Arrays.copyOf(ids, byScan), java.util.Arrays.copyOf(copy, byHeap));
      }
    }
  }

  private static BpeModel modelOf(Tokenizer t) {
    try {
      java.lang.reflect.Field f = Tokenizer.class.getDeclaredField("model");
      f.setAccessible(true);
      return (BpeModel) f.get(t);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void pathologicalRepetitionStaysFast() {
    Tokenizer t = Fixtures.cl100k();
    String s = "a".repeat(100_000);
    t.encode(s); // warm up
    long t0 = System.nanoTime();
    int[] ids = t.encode(s);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(s, t.decode(ids));
    assertTrue(ms < 1000, "100,000 'a' took " + ms + " ms"); // a quadratic merge takes minutes
  }

  @Test
  void streamingDecoderEmitsOnlyCompleteCharacters() {
    Tokenizer t = Tokenizer.bytesOnly();
    StreamingDecoder d = t.newStreamingDecoder();
    byte[] euro = "\u20AC".getBytes(StandardCharsets.UTF_8);
    assertEquals("a", d.push('a'));
    assertEquals("", d.push(euro[0] & 0xFF));
    assertEquals("", d.push(euro[1] & 0xFF));
    assertTrue(d.hasPending());
    assertEquals("\u20AC", d.push(euro[2] & 0xFF));
    assertEquals("", d.push(0xF0));
    assertEquals("\uFFFD", d.flush());
    assertEquals("", d.flush());
    assertEquals("\uFFFDx", d.push(0xFF) + d.push('x'));
    assertEquals("<|endoftext|>", d.push(256));
  }

  @Test
  void streamingDecoderOutputEqualsWholeDecode() {
    Random rnd = new Random(7);
    for (Tokenizer t : List.of(Tokenizer.bytesOnly(), Fixtures.cl100k(), TRAINED)) {
      for (int i = 0; i < 300; i++) {
        int[] ids = new int[rnd.nextInt(40)];
        for (int k = 0; k < ids.length; k++) {
          do {
            ids[k] = rnd.nextInt(rnd.nextBoolean() ? 256 : t.vocabSize());
          } while (!t.isValidId(ids[k]));
        }
        StreamingDecoder d = t.newStreamingDecoder();
        StringBuilder sb = new StringBuilder();
        for (int id : ids) sb.append(d.push(id));
        sb.append(d.flush());
        assertEquals(t.decode(ids), sb.toString());
      }
    }
  }

  @Test
  void decodeRejectsUnknownIds() {
    Tokenizer t = Fixtures.cl100k();
    assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {100256})); // the gap before the specials
    assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {100277}));
    assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {-1}));
    assertFalse(t.isValidId(100256));
    assertArrayEquals("ab".getBytes(StandardCharsets.UTF_8), Tokenizer.bytesOnly().decodeBytes(new int[] {'x', 'a', 'b', 'y'}, 1, 2));
  }

  @Test
  void hashIdentifiesTheVocabularyNotTheObject() {
    assertEquals(Fixtures.r50k().hash(), TiktokenFile.read(Fixtures.rankFile("r50k_base"), "x", "r50k").hash());
    assertNotEquals(Fixtures.r50k().hash(), TiktokenFile.read(Fixtures.rankFile("r50k_base"), "x", "cl100k").hash());
    assertNotEquals(Fixtures.r50k().hash(), Fixtures.cl100k().hash());
    assertEquals(64, TRAINED.hash().length());
  }

  @Test
  void threadSafeUnderConcurrentEncoding() throws Exception {
    Tokenizer t = Fixtures.cl100k();
    List<String> texts = new java.util.ArrayList<>();
    Random rnd = new Random(8);
    for (int i = 0; i < 200; i++) texts.add(TextGen.adversarial(rnd, 80) + TextGen.prose(rnd, 500));
    List<int[]> expected = texts.stream().map(t::encode).toList();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new java.util.ArrayList<>();
      for (int r = 0; r < 4; r++) {
        results.add(pool.submit(() -> {
          for (int rep = 0; rep < 5; rep++) {
            for (int i = 0; i < texts.size(); i++) if (!java.util.Arrays.equals(expected.get(i), t.encode(texts.get(i)))) return false;
          }
          return true;
        }));
      }
      for (Future<Boolean> f : results) assertTrue(f.get());
    } finally {
      pool.shutdownNow();
    }
  }
}
