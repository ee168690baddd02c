package dev.jgpt.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A zip archive whose entry bytes are damaged fails with one message naming the archive and the entry. */
class DamagedZipTest {
  @TempDir Path tmp;

  private static final byte[] TEXT =
      "It was the best of times, it was the worst of times, it was the age of wisdom. ".repeat(50)
          .getBytes(StandardCharsets.UTF_8);

  private Path zipWith(int method) throws IOException {
    Path zip = tmp.resolve(method == ZipEntry.STORED ? "stored.zip" : "deflated.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("aa/intact.txt"));
      out.write("an intact first entry".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
      ZipEntry entry = new ZipEntry("books/two-cities.txt");
      entry.setMethod(method);
      if (method == ZipEntry.STORED) {
        CRC32 crc = new CRC32();
        crc.update(TEXT);
        entry.setSize(TEXT.length);
        entry.setCrc(crc.getValue());
      }
      out.putNextEntry(entry);
      out.write(TEXT);
      out.closeEntry();
    }
    return zip;
  }

  /** Changes one byte in the middle of the second entry's data (after its local header's name). */
  private static void damage(Path zip) throws IOException {
    byte[] bytes = Files.readAllBytes(zip);
    byte[] name = "books/two-cities.txt".getBytes(StandardCharsets.UTF_8);
    int nameAt = -1;
    for (int i = 0; i + name.length <= bytes.length && nameAt < 0; i++) {
      if (java.util.Arrays.equals(bytes, i, i + name.length, name, 0, name.length)) nameAt = i;
    }
    int dataAt = nameAt + name.length + 40;
    bytes[dataAt] ^= 0x20;
    Files.write(zip, bytes);
  }

  private static List<String> readAll(CorpusSource source) throws IOException {
    List<String> texts = new ArrayList<>();
    source.forEachDocument((document, bytes) -> texts.add(new String(bytes, StandardCharsets.UTF_8)));
    return texts;
  }

  @Test
  void anIntactArchiveReadsBack() throws IOException {
    for (int method : new int[] {ZipEntry.STORED, ZipEntry.DEFLATED}) {
      List<String> texts = readAll(CorpusSource.resolve(zipWith(method).toString(), CorpusOptions.defaults()));
      assertEquals(new String(TEXT, StandardCharsets.UTF_8), texts.get(1));
    }
  }

  @Test
  void aDamagedStoredEntryFailsItsCrcCheck() throws IOException {
    Path zip = zipWith(ZipEntry.STORED);
    damage(zip);
    CorpusSource source = CorpusSource.resolve(zip.toString(), CorpusOptions.defaults());
    IOException e = assertThrows(IOException.class, () -> readAll(source));
    assertTrue(e.getMessage().startsWith("zip archive " + zip.toAbsolutePath() + " is damaged: entry books/two-cities.txt "
        + "does not read back (CRC-32 "), e.getMessage());
    assertTrue(e.getMessage().contains("download the archive again"), e.getMessage());
  }

  @Test
  void aDamagedDeflatedEntryIsNamed() throws IOException {
    Path zip = zipWith(ZipEntry.DEFLATED);
    damage(zip);
    CorpusSource source = CorpusSource.resolve(zip.toString(), CorpusOptions.defaults());
    IOException e = assertThrows(IOException.class, () -> readAll(source));
    assertTrue(e.getMessage().contains("is damaged: entry books/two-cities.txt does not read back"), e.getMessage());
  }
}
