package dev.jgpt.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFilesTest {
  @TempDir Path tmp;

  @Test
  void readsUtf8TextWithoutAByteOrderMark() throws IOException {
    Path f = tmp.resolve("config.json");
    Files.write(f, ("\uFEFF{\"corpus\": \"b\u00fccher\"}").getBytes(StandardCharsets.UTF_8));
    assertEquals("{\"corpus\": \"b\u00fccher\"}", JsonFiles.readText(f));
  }

  @Test
  void textThatIsNotUtf8IsNamedWithTheByteAndWhereItIs() throws IOException {
    Path f = tmp.resolve("state.json");
    Files.write(f, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xFC, '"', '}'}); // Latin-1 ü
    IOException e = assertThrows(IOException.class, () -> JsonFiles.readText(f));
    assertEquals(f + " is not valid UTF-8 text (byte 0xFC at offset 6); it is damaged or not a jgpt file: restore it, "
        + "or save it as UTF-8", e.getMessage());
  }

  @Test
  void aCharacterCutShortAtTheEndIsNamedToo() throws IOException {
    Path f = tmp.resolve("cut.json");
    Files.write(f, new byte[] {'{', '}', (byte) 0xE2, (byte) 0x82});
    IOException e = assertThrows(IOException.class, () -> JsonFiles.readText(f));
    assertEquals(true, e.getMessage().contains("(byte 0xE2 at offset 2)"), e.getMessage());
  }
}
