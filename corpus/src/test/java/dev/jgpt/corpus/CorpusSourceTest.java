package dev.jgpt.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusSourceTest {
  @TempDir Path dir;

  private static final CorpusOptions OPTIONS = CorpusOptions.defaults();

  private Path write(String relative, String text) throws IOException {
    return write(relative, text.getBytes(StandardCharsets.UTF_8));
  }

  private Path write(String relative, byte[] bytes) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    return Files.write(file, bytes);
  }

  private static List<String> names(CorpusSource source) {
    return source.documents().stream().map(DocumentInfo::name).toList();
  }

  private static Map<String, byte[]> readAll(CorpusSource source) throws IOException {
    Map<String, byte[]> read = new LinkedHashMap<>();
    source.forEachDocument((document, bytes) -> read.put(document.name(), bytes));
    return read;
  }

  @Test
  void folderIsReadRecursivelyInSortedOrderWithoutHiddenFiles() throws IOException {
    Path root = dir.resolve("corpus");
    write("corpus/b/z.java", "class Z {}");
    write("corpus/a/y.txt", "why");
    write("corpus/a/x.java", "class X {}");
    write("corpus/.git/config", "[core]");
    write("corpus/.hidden.java", "hidden");
    CorpusSource source = CorpusSource.resolve(root.toString(), OPTIONS);
    assertEquals(List.of("a/x.java", "a/y.txt", "b/z.java"), names(source));
    assertEquals(List.of("a/x.java", "a/y.txt", "b/z.java"), List.copyOf(readAll(source).keySet()));
    assertArrayEquals("why".getBytes(StandardCharsets.UTF_8), readAll(source).get("a/y.txt"));
    assertEquals(10 + 3 + 10, source.totalBytes());
  }

  @Test
  void includeAndExcludeGlobsPickTheDocuments() throws IOException {
    Path root = dir.resolve("corpus");
    write("corpus/a/x.java", "class X {}");
    write("corpus/a/y.txt", "why");
    write("corpus/b/z.java", "class Z {}");
    assertEquals(List.of("a/x.java", "b/z.java"),
        names(CorpusSource.resolve(root.toString(), OPTIONS.withGlobs(List.of("*.java"), List.of()))));
    assertEquals(List.of("a/x.java", "a/y.txt"),
        names(CorpusSource.resolve(root.toString(), OPTIONS.withGlobs(List.of("a/**"), List.of()))));
    assertEquals(List.of("a/x.java"),
        names(CorpusSource.resolve(root.toString(), OPTIONS.withGlobs(List.of("*.java"), List.of("b/**")))));
  }

  @Test
  void binaryLookingFilesInAFolderAreSkippedButNonUtf8TextIsKept() throws IOException {
    Path root = dir.resolve("corpus");
    byte[] latin1 = {'c', 'a', 'f', (byte) 0xE9, '\n', (byte) 0xFF, (byte) 0xC3};
    write("corpus/latin1.txt", latin1);
    write("corpus/image.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13});
    CorpusSource source = CorpusSource.resolve(root.toString(), OPTIONS);
    assertEquals(List.of("image.png", "latin1.txt"), names(source), "listed before reading");
    List<String> skipped = new ArrayList<>();
    Map<String, byte[]> read = new LinkedHashMap<>();
    source.read(new DocumentVisitor() {
      @Override public void visit(DocumentInfo document, java.io.InputStream in) throws IOException {
        read.put(document.name(), in.readAllBytes());
      }

      @Override public void skipped(DocumentInfo document) {
        skipped.add(document.name());
      }
    });
    assertEquals(List.of("image.png"), skipped);
    assertArrayEquals(latin1, read.get("latin1.txt"));
  }

  @Test
  void aSingleFileIsOneDocumentReadAsItIs() throws IOException {
    byte[] bytes = {'a', 0, (byte) 0xFE, 'b'}; // named explicitly: kept even though it looks binary
    Path file = write("one.bin", bytes);
    CorpusSource source = CorpusSource.resolve(file.toString(), OPTIONS);
    assertEquals(List.of("one.bin"), names(source));
    assertArrayEquals(bytes, readAll(source).get("one.bin"));
  }

  @Test
  void zipArchiveEntriesAreSortedFilteredAndReadWithoutUnpacking() throws IOException {
    Path zip = dir.resolve("docs.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      putEntry(out, "docs/", null);
      putEntry(out, "docs/b.md", "bee");
      putEntry(out, "docs/a.md", "ay");
      putEntry(out, "__MACOSX/docs/._a.md", "junk");
      putEntry(out, "docs/c.txt", "sea");
    }
    CorpusSource all = CorpusSource.resolve(zip.toString(), OPTIONS);
    assertEquals(List.of("docs/a.md", "docs/b.md", "docs/c.txt"), names(all));
    Map<String, byte[]> read = readAll(all);
    assertArrayEquals("bee".getBytes(StandardCharsets.UTF_8), read.get("docs/b.md"));
    CorpusSource markdown = CorpusSource.resolve(zip.toString(), OPTIONS.withGlobs(List.of("*.md"), List.of()));
    assertEquals(List.of("docs/a.md", "docs/b.md"), names(markdown));
    assertNotEquals(all.fingerprint(), markdown.fingerprint());
    assertNotEquals(all.cacheKey(), markdown.cacheKey());
  }

  private static void putEntry(ZipOutputStream out, String name, String text) throws IOException {
    out.putNextEntry(new ZipEntry(name));
    if (text != null) out.write(text.getBytes(StandardCharsets.UTF_8));
    out.closeEntry();
  }

  @Test
  void aFileNamedZipThatIsNotAnArchiveSaysSo() throws IOException {
    Path fake = write("fake.zip", "not a zip");
    IOException e = assertThrows(IOException.class, () -> CorpusSource.resolve(fake.toString(), OPTIONS));
    assertTrue(e.getMessage().contains("is not a readable zip archive"), e.getMessage());
  }

  @Test
  void missingPathOrUnknownNameListsTheNamedCorpora() {
    String missing = dir.resolve("nope.txt").toString();
    var e = assertThrows(IllegalArgumentException.class, () -> CorpusSource.resolve(missing, OPTIONS));
    assertEquals("corpus '" + missing + "' is neither a file, a folder, a .zip archive nor a named corpus"
        + " (named corpora: jdk, shakespeare)", e.getMessage());
    var unknown = assertThrows(IllegalArgumentException.class, () -> CorpusSource.resolve("tolstoy", OPTIONS));
    assertTrue(unknown.getMessage().contains("named corpora: jdk, shakespeare"));
  }

  @Test
  void emptyCorporaAreRejectedWithTheReason() throws IOException {
    Path emptyFile = write("empty.txt", "");
    var file = assertThrows(IllegalArgumentException.class, () -> CorpusSource.resolve(emptyFile.toString(), OPTIONS));
    assertTrue(file.getMessage().contains("is empty"), file.getMessage());

    Path onlyHidden = dir.resolve("hidden");
    write("hidden/.secret.txt", "x");
    var folder = assertThrows(IllegalArgumentException.class, () -> CorpusSource.resolve(onlyHidden.toString(), OPTIONS));
    assertTrue(folder.getMessage().contains("has no documents"), folder.getMessage());

    Path zeroBytes = dir.resolve("zero");
    write("zero/a.txt", "");
    var zero = assertThrows(IllegalArgumentException.class, () -> CorpusSource.resolve(zeroBytes.toString(), OPTIONS));
    assertTrue(zero.getMessage().contains("0 bytes"), zero.getMessage());

    Path root = dir.resolve("corpus");
    write("corpus/a.txt", "text");
    var globs = assertThrows(IllegalArgumentException.class,
        () -> CorpusSource.resolve(root.toString(), OPTIONS.withGlobs(List.of("*.java"), List.of())));
    assertTrue(globs.getMessage().contains("include [*.java]"), globs.getMessage());
  }

  @Test
  void fingerprintFollowsNamesSizesAndTimesButNotRereads() throws IOException {
    Path root = dir.resolve("corpus");
    Path a = write("corpus/a.txt", "alpha");
    write("corpus/b.txt", "beta");
    String first = CorpusSource.resolve(root.toString(), OPTIONS).fingerprint();
    assertEquals(first, CorpusSource.resolve(root.toString(), OPTIONS).fingerprint(), "stable while nothing changes");

    Files.writeString(a, "alpha2");
    String grown = CorpusSource.resolve(root.toString(), OPTIONS).fingerprint();
    assertNotEquals(first, grown);

    Files.setLastModifiedTime(a, FileTime.fromMillis(Files.getLastModifiedTime(a).toMillis() + 5_000));
    String touched = CorpusSource.resolve(root.toString(), OPTIONS).fingerprint();
    assertNotEquals(grown, touched);

    write("corpus/c.txt", "gamma");
    assertNotEquals(touched, CorpusSource.resolve(root.toString(), OPTIONS).fingerprint());
  }

  @Test
  void namedCorporaComeBeforePathsOfTheSameName() throws IOException {
    // A folder called "shakespeare" in the working directory would not shadow the named corpus;
    // the named corpus is tried (here: offline, so it fails with the download error, not a folder listing).
    CorpusOptions offline = OPTIONS.withCacheDir(dir).withShakespeare(java.net.URI.create("http://127.0.0.1:1/x"), "00");
    IOException e = assertThrows(IOException.class, () -> CorpusSource.resolve("shakespeare", offline));
    assertTrue(e.getMessage().startsWith("cannot download the shakespeare corpus"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }
}
