package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.common.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to {@code jgpt tokenizer train} and {@code encode}, end to end: one line each, nothing half-written. */
class TokenizerBadInputTest {
  @TempDir Path tmp;

  private Path corpus() throws IOException {
    Path corpus = tmp.resolve("corpus.txt");
    Files.writeString(corpus, "the king and the queen said that the lord shall go. ".repeat(200));
    return corpus;
  }

  private static void assertOneLineError(CliRunner.Result r, int code, String expected) {
    assertEquals(code, r.exitCode(), r.toString());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r);
    assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r);
    assertFalse(r.err().contains("internal error") || r.err().contains("Exception"), r.toString());
  }

  @Test
  void outOnAFolderSaysToGiveAFileName() throws IOException {
    Path folder = Files.createDirectories(tmp.resolve("tokenizers"));
    CliRunner.Result r = CliRunner.run("tokenizer", "train", "--corpus", corpus().toString(), "--vocab-size", "300",
        "--out", folder.toString());
    assertOneLineError(r, 2, "--out " + folder + " is a folder; give a file name like " + folder.resolve("tokenizer.json"));
    try (var left = Files.list(folder)) {
      assertEquals(0, left.count(), "nothing written into the folder");
    }
  }

  @Test
  void includeAndExcludeChooseTheFilesToLearnFrom() throws IOException {
    Path notes = Files.createDirectories(tmp.resolve("notes"));
    Files.writeString(notes.resolve("a.md"), "the king and the queen. ".repeat(50));
    Files.writeString(notes.resolve("b.txt"), "left out, left out. ".repeat(500));
    Files.writeString(notes.resolve("c.md"), "also left out. ".repeat(500));
    CliRunner.Result r = CliRunner.run("tokenizer", "train", "--corpus", notes.toString(), "--vocab-size", "260",
        "--include", "*.md", "--exclude", "c.*", "--out", tmp.resolve("tok.json").toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("(" + String.format("%,d", Files.size(notes.resolve("a.md"))) + " bytes"),
        "learned on a.md alone: " + r.out());
    assertOneLineError(CliRunner.run("tokenizer", "train", "--corpus", notes.toString(), "--vocab-size", "260",
        "--include", "{md", "--out", tmp.resolve("tok2.json").toString()), 2, "bad glob '{md'");
  }

  @Test
  void aDamagedZipEntryIsNamed() throws IOException {
    Path zip = tmp.resolve("books.zip");
    byte[] text = "a stored book, its bytes are checked against the CRC. ".repeat(20).getBytes(StandardCharsets.UTF_8);
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      ZipEntry e = new ZipEntry("shelf/book.txt");
      e.setMethod(ZipEntry.STORED);
      e.setSize(text.length);
      CRC32 crc = new CRC32();
      crc.update(text);
      e.setCrc(crc.getValue());
      out.putNextEntry(e);
      out.write(text);
      out.closeEntry();
    }
    byte[] bytes = Files.readAllBytes(zip);
    int at = indexOf(bytes, "stored book".getBytes(StandardCharsets.UTF_8));
    bytes[at] = 'S'; // one flipped letter: ZipFile itself reads it back without complaint
    Files.write(zip, bytes);
    CliRunner.Result r = CliRunner.run("tokenizer", "train", "--corpus", zip.toString(), "--vocab-size", "260",
        "--out", tmp.resolve("tok.json").toString());
    assertOneLineError(r, 1, "entry shelf/book.txt does not read back (CRC-32");
    assertFalse(Files.exists(tmp.resolve("tok.json")));
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
      return i;
    }
    throw new AssertionError("not found");
  }

  @Test
  void jsonLinesBeforeABadLineAreWrittenWholeThenTheErrorIsReported() throws IOException {
    Path tok = tmp.resolve("tok.json");
    assertEquals(0, CliRunner.run("tokenizer", "train", "--corpus", corpus().toString(), "--vocab-size", "270", "--out",
        tok.toString()).exitCode());
    StringBuilder in = new StringBuilder();
    int good = 500; // well past the writer's 8 KiB buffer, so part of it had gone out before the error
    for (int i = 0; i < good; i++) in.append("{\"text\": \"line ").append(i).append(" of the king and the queen\"}\n");
    in.append("{\"text\": oops}\n");
    in.append("{\"text\": \"after the bad line\"}\n");
    CliRunner.Result r = CliRunner.runWithInput(in.toString(), "tokenizer", "encode", "--tokenizer", tok.toString(), "--jsonl");
    assertOneLineError(r, 1, "line " + (good + 1) + ": ");
    assertTrue(r.out().endsWith("\n"), "no half line at the end");
    List<String> lines = r.out().lines().toList();
    assertEquals(good, lines.size(), "every line before the bad one");
    for (String line : lines) assertTrue(Json.parseObject(line).containsKey("ids"), line);
  }

}
