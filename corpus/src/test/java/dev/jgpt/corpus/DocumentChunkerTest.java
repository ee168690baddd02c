package dev.jgpt.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DocumentChunkerTest {
  private static final int TARGET = 64;

  /** Hands out 1..maxRead bytes per read, as pipes and archives may. */
  private static InputStream trickle(byte[] bytes, int maxRead, long seed) {
    Random random = new Random(seed);
    return new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 1 + random.nextInt(maxRead)));
      }
    };
  }

  private static List<byte[]> chunks(InputStream in) throws IOException {
    DocumentChunker chunker = new DocumentChunker(in, TARGET);
    List<byte[]> chunks = new ArrayList<>();
    for (byte[] c = chunker.next(); c != null; c = chunker.next()) chunks.add(c);
    return chunks;
  }

  private static byte[] text(long seed) {
    Random random = new Random(seed);
    StringBuilder s = new StringBuilder();
    while (s.length() < 40 * TARGET) {
      int words = random.nextInt(12);
      if (random.nextInt(5) == 0) s.append("  ");
      for (int w = 0; w < words; w++) s.append(random.nextBoolean() ? "héllo " : "wörld\t");
      s.append(random.nextInt(4) == 0 ? "\n\n" : "\n");
    }
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void chunksJoinToTheDocumentAndEndAtLineStarts() throws IOException {
    byte[] doc = text(1);
    List<byte[]> chunks = chunks(new ByteArrayInputStream(doc));
    assertTrue(chunks.size() > 10);
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (int i = 0; i < chunks.size(); i++) {
      byte[] c = chunks.get(i);
      joined.writeBytes(c);
      if (i < chunks.size() - 1) {
        assertTrue(c.length >= TARGET, "only the last chunk may be short");
        assertEquals('\n', c[c.length - 1]);
        byte next = chunks.get(i + 1)[0];
        assertTrue(next != ' ' && next != '\t' && next != '\n' && (next & 0xC0) != 0x80, "cut before " + next);
      }
    }
    assertArrayEquals(doc, joined.toByteArray());
  }

  @Test
  void cutsDependOnTheBytesNotOnHowTheyArrive() throws IOException {
    byte[] doc = text(2);
    List<byte[]> whole = chunks(new ByteArrayInputStream(doc));
    for (int seed = 0; seed < 5; seed++) {
      List<byte[]> trickled = chunks(trickle(doc, 1 + seed * 13, seed));
      assertEquals(whole.size(), trickled.size());
      for (int i = 0; i < whole.size(); i++) assertArrayEquals(whole.get(i), trickled.get(i));
    }
  }

  @Test
  void textWithoutLineStartsIsCutOutsideUtf8Sequences() throws IOException {
    byte[] doc = "é".repeat(40 * TARGET).getBytes(StandardCharsets.UTF_8); // 2-byte sequences, no newline
    List<byte[]> chunks = chunks(trickle(doc, 7, 3));
    assertTrue(chunks.size() >= 4);
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (int i = 0; i < chunks.size(); i++) {
      byte[] c = chunks.get(i);
      if (i < chunks.size() - 1) assertEquals(16 * TARGET, c.length, "forced cut at 16 x target");
      assertEquals((byte) 0xC3, c[0], "every chunk starts a character");
      joined.writeBytes(c);
    }
    assertArrayEquals(doc, joined.toByteArray());
  }

  @Test
  void emptyDocumentHasNoChunksAndShortOneHasOne() throws IOException {
    assertNull(new DocumentChunker(new ByteArrayInputStream(new byte[0]), TARGET).next());
    List<byte[]> one = chunks(new ByteArrayInputStream("short\ntext\n".getBytes(StandardCharsets.UTF_8)));
    assertEquals(1, one.size());
  }
}
