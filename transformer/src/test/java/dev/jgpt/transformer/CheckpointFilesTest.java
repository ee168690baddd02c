package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFilesTest {
  @TempDir Path dir;

  @Test
  void writeReplacesTheFileWhole() throws IOException {
    Path f = dir.resolve("state.json");
    CheckpointFiles.writeString(f, "old");
    CheckpointFiles.writeString(f, "new");
    assertEquals("new", Files.readString(f));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count());
    }
  }

  @Test
  void aFullDiskLeavesThePreviousFileAndSaysWhatToDo() throws IOException {
    Path f = dir.resolve("model.safetensors");
    CheckpointFiles.writeString(f, "previous checkpoint");
    IOException e = assertThrows(IOException.class, () -> CheckpointFiles.write(f, out -> {
      out.write(new byte[1000]);
      throw new IOException("No space left on device");
    }));
    assertTrue(e.getMessage().contains("the disk is full; the previous checkpoint is intact"), e.getMessage());
    assertEquals("previous checkpoint", Files.readString(f));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "the temporary file is removed");
    }
  }

  @Test
  void crcIdentifiesContent() throws IOException {
    Path a = dir.resolve("a");
    Files.writeString(a, "123456789");
    assertEquals("e3069283", CheckpointFiles.crc32c(a)); // the CRC-32C check value
  }
}
