package dev.jgpt.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
  @TempDir Path dir;

  @Test
  void replacesTheFileAndLeavesNothingElse() throws IOException {
    Path f = dir.resolve("sub").resolve("a.json");
    AtomicFile.write(f, new byte[] {1, 2});
    AtomicFile.writeStream(f, out -> out.write(new byte[] {3, 4, 5}));
    assertArrayEquals(new byte[] {3, 4, 5}, Files.readAllBytes(f));
    assertEquals(List.of(f), list(f.getParent()));
  }

  @Test
  void theTemporaryNameInUseIsOneThatCleanUpRecognises() throws IOException {
    Path f = dir.resolve("tokenizer.json");
    List<Path> during = new ArrayList<>();
    AtomicFile.writeStream(f, out -> during.addAll(list(dir)));
    assertEquals(1, during.size(), during.toString());
    assertTrue(AtomicFile.isTemporaryName(during.get(0).getFileName().toString()), during.toString());
    assertFalse(AtomicFile.isTemporaryName("tokenizer.json"));
    assertFalse(AtomicFile.isTemporaryName("notes.1.2.tmp"), "not hidden: not ours");
    assertFalse(AtomicFile.isTemporaryName(".model.bin.tmp-42"), "a caller's own name");
  }

  @Test
  void aFailedWriteKeepsTheOldFileAndRemovesTheTemporaryOne() throws IOException {
    Path f = dir.resolve("a.bin");
    AtomicFile.write(f, new byte[] {7});
    IOException e = assertThrows(IOException.class, () -> AtomicFile.writeStream(f, out -> {
      out.write(new byte[100]);
      throw new IOException("No space left on device");
    }));
    assertEquals("No space left on device", e.getMessage());
    assertArrayEquals(new byte[] {7}, Files.readAllBytes(f));
    assertEquals(List.of(f), list(dir));
  }

  @Test
  void aChannelWriterMayWriteAHeaderLastAndReturnIt() throws IOException {
    Path f = dir.resolve("tokens.bin");
    Path temporary = dir.resolve("tokens.bin.123.part"); // a caller's own name, e.g. one it cleans up by pattern
    String header = AtomicFile.writeChannel(f, temporary, ch -> {
      ch.write(ByteBuffer.wrap(new byte[] {0, 0, 9, 9}));
      ch.write(ByteBuffer.wrap(new byte[] {4, 2}), 0); // the header, once the body is known
      return "header";
    });
    assertEquals("header", header);
    assertArrayEquals(new byte[] {4, 2, 9, 9}, Files.readAllBytes(f));
    assertFalse(Files.exists(temporary));
  }

  @Test
  void aTemporaryFileLeftByAKilledWriteIsTruncated() throws IOException {
    Path f = dir.resolve("model.bin");
    Path temporary = dir.resolve(".model.bin.tmp-42");
    Files.write(temporary, new byte[1000]);
    AtomicFile.writeStream(f, temporary, out -> out.write(new byte[] {1}));
    assertArrayEquals(new byte[] {1}, Files.readAllBytes(f));
    assertEquals(List.of(f), list(dir));
  }

  private static List<Path> list(Path folder) throws IOException {
    try (var files = Files.list(folder)) {
      return files.toList();
    }
  }
}
