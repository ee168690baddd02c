package dev.jgpt.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.tokenizer.BpeTrainer;
import dev.jgpt.tokenizer.Patterns;
import dev.jgpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenFileTest {
  @TempDir Path dir;

  private static final Tokenizer BYTES = Tokenizer.bytesOnly();
  private static final CorpusOptions OPTIONS = CorpusOptions.defaults();

  /** Three documents: ASCII, invalid UTF-8 (no NUL, so it is not taken for binary), and multi-byte UTF-8. */
  private static final byte[][] DOCS = {
      "hello world\n".getBytes(StandardCharsets.UTF_8),
      {(byte) 0xFF, (byte) 0xFE, 'a', (byte) 0xC3, (byte) 0x28, (byte) 0x80, '\n', (byte) 0xE2, (byte) 0x82},
      "ünïcødé ✓ 日本\n".getBytes(StandardCharsets.UTF_8),
  };

  private CorpusSource corpus() throws IOException {
    for (int i = 0; i < DOCS.length; i++) write("corpus/doc" + i + ".txt", DOCS[i]);
    return CorpusSource.resolve(dir.resolve("corpus").toString(), OPTIONS);
  }

  private Path write(String relative, byte[] bytes) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    return Files.write(file, bytes);
  }

  private static int[] ids(TokenData data) {
    int[] ids = new int[Math.toIntExact(data.size())];
    data.copy(0, ids, 0, ids.length);
    return ids;
  }

  /** The token ids cut at each end-of-text id. */
  private static List<int[]> documents(int[] ids, int eot) {
    List<int[]> docs = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= ids.length; i++) {
      if (i == ids.length || ids[i] == eot) {
        docs.add(Arrays.copyOfRange(ids, start, i));
        start = i + 1;
      }
    }
    return docs;
  }

  @Test
  void bytesSurviveTheRoundTripWithSeparatorsBetweenDocuments() throws IOException {
    Path file = dir.resolve("c.tok");
    try (TokenFile tokens = TokenFile.prepare(corpus(), BYTES, file, 2, BuildProgress.NONE)) {
      assertTrue(tokens.built());
      assertEquals(3, tokens.documentCount());
      assertEquals(2, tokens.tokenWidth());
      int[] ids = ids(tokens);
      assertNotEquals(BYTES.eotId(), ids[0], "no separator before the first document");
      assertNotEquals(BYTES.eotId(), ids[ids.length - 1], "none after the last");
      List<int[]> docs = documents(ids, BYTES.eotId());
      assertEquals(3, docs.size());
      long totalBytes = 0;
      for (int i = 0; i < DOCS.length; i++) {
        assertArrayEquals(DOCS[i], BYTES.decodeBytes(docs.get(i)), "document " + i);
        totalBytes += DOCS[i].length;
      }
      assertEquals(totalBytes, tokens.byteCount(), "header: source bytes, separators excluded");
      assertEquals(totalBytes, new TokenArray(ids, TokenLengths.of(BYTES)).byteCount(), "same as summing per id");
      assertEquals(DOCS[0].length, tokens.byteCount(0, DOCS[0].length + 1), "a part is summed over its ids");
      for (int i = 0; i < ids.length; i++) assertEquals(ids[i], tokens.get(i));
    }
  }

  @Test
  void largeDocumentsBuildTheSameFileOnOneThreadOrMany() throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; text.length() < 3 * DocumentChunker.TARGET; i++) text.append("line ").append(i).append(" ü\n");
    write("big/a.txt", text.toString().getBytes(StandardCharsets.UTF_8));
    write("big/b.txt", "second".getBytes(StandardCharsets.UTF_8));
    CorpusSource source = CorpusSource.resolve(dir.resolve("big").toString(), OPTIONS);
    Path one = dir.resolve("one.tok");
    Path four = dir.resolve("four.tok");
    List<long[]> progress = new ArrayList<>();
    TokenFile.prepare(source, BYTES, one, 1, BuildProgress.NONE).close();
    TokenFile.prepare(source, BYTES, four, 4, (done, total) -> progress.add(new long[] {done, total})).close();
    assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(four));
    try (TokenFile tokens = TokenFile.open(four, BYTES)) {
      List<int[]> docs = documents(ids(tokens), BYTES.eotId());
      assertArrayEquals(text.toString().getBytes(StandardCharsets.UTF_8), BYTES.decodeBytes(docs.getFirst()));
    }
    assertTrue(progress.size() > 3, "progress reported per chunk");
    for (int i = 1; i < progress.size(); i++) assertTrue(progress.get(i)[0] >= progress.get(i - 1)[0], "monotonic");
    assertEquals(source.totalBytes(), progress.getLast()[0]);
    assertEquals(source.totalBytes(), progress.getLast()[1]);
  }

  @ParameterizedTest
  @ValueSource(strings = {Patterns.GPT2, Patterns.CL100K, Patterns.O200K})
  void cuttingLargeDocumentsGivesTheSameTokensAsEncodingThemWhole(String pattern) throws IOException {
    // Text whose merges would join a newline to what follows if a pattern allowed it.
    StringBuilder text = new StringBuilder();
    String[] lines = {"  indented line {\n", "}\n", "\n", "Word and word, (more) words!\n", "\tx = 42;\n", "ünï ✓\n"};
    for (int i = 0; text.length() < 30_000; i++) text.append(lines[i % lines.length]).append(i % 7 == 0 ? "\n" : "");
    String doc = text.toString();
    Tokenizer bpe = BpeTrainer.train(doc.substring(0, 20_000), 256 + 30 + 1, pattern, List.of(Tokenizer.END_OF_TEXT), 2, null);
    Path file = write("big-" + pattern + ".txt", doc.getBytes(StandardCharsets.UTF_8));
    Path tokenFile = dir.resolve(pattern + ".tok");
    // 64-byte chunks: hundreds of cuts, each one a chance to differ from encoding the text whole.
    TokenFileWriter.write(CorpusSource.resolve(file.toString(), OPTIONS), bpe, tokenFile, 2, BuildProgress.NONE, () -> false, 64);
    try (TokenFile tokens = TokenFile.open(tokenFile, bpe)) {
      byte[] bytes = doc.getBytes(StandardCharsets.UTF_8);
      int[] whole = bpe.encodeBytes(bytes, 0, bytes.length);
      assertTrue(whole.length < bytes.length * 0.8, "the merges do compress");
      assertArrayEquals(whole, ids(tokens));
      assertEquals(bytes.length, tokens.byteCount());
      assertEquals(bytes.length, new TokenArray(whole, TokenLengths.of(bpe)).byteCount());
    }
  }

  @Test
  void reusedWhileCorpusAndTokenizerAreUnchangedRebuiltWhenTheCorpusChanges() throws IOException {
    CorpusSource source = corpus();
    Path file = TokenFile.cachePath(source, BYTES, dir.resolve("cache"));
    TokenFile.prepare(source, BYTES, file, 1, BuildProgress.NONE).close();
    long[] calls = {0};
    CorpusSource unchanged = CorpusSource.resolve(dir.resolve("corpus").toString(), OPTIONS);
    try (TokenFile again = TokenFile.prepare(unchanged, BYTES, file, 1, (d, t) -> calls[0]++)) {
      assertFalse(again.built());
      assertEquals(0, calls[0], "reuse does not tokenize");
    }
    write("corpus/doc3.txt", "one more".getBytes(StandardCharsets.UTF_8));
    CorpusSource grown = CorpusSource.resolve(dir.resolve("corpus").toString(), OPTIONS);
    assertEquals(file, TokenFile.cachePath(grown, BYTES, dir.resolve("cache")), "same source, same cache file");
    try (TokenFile rebuilt = TokenFile.prepare(grown, BYTES, file, 1, BuildProgress.NONE)) {
      assertTrue(rebuilt.built());
      assertEquals(4, rebuilt.documentCount());
    }
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertEquals(List.of(file.getFileName().toString()), files.map(p -> p.getFileName().toString()).toList(),
          "no temporary files left");
    }
  }

  @Test
  void rebuiltWhenTheTokenizerChangedAndOpenRefusesTheWrongTokenizer() throws IOException {
    CorpusSource source = corpus();
    Path file = dir.resolve("c.tok");
    TokenFile.prepare(source, BYTES, file, 1, BuildProgress.NONE).close();
    // Stand in for another tokenizer: the same file claiming a different tokenizer hash.
    TokenFileHeader header = readHeader(file);
    String otherTokenizer = Sha256.of("another tokenizer");
    writeHeader(file, TokenFileHeader.of(header.vocabSize(), header.eotId(), header.tokenCount(), header.byteCount(),
        header.documentCount(), otherTokenizer, source.fingerprint()));
    var e = assertThrows(IllegalArgumentException.class, () -> TokenFile.open(file, BYTES));
    assertTrue(e.getMessage().contains("was made with tokenizer " + otherTokenizer.substring(0, 12)), e.getMessage());
    try (TokenFile rebuilt = TokenFile.prepare(source, BYTES, file, 1, BuildProgress.NONE)) {
      assertTrue(rebuilt.built());
    }
  }

  @Test
  void damagedHeadersAndTruncatedFilesGiveOneLineErrorsAndPrepareRebuilds() throws IOException {
    CorpusSource source = corpus();
    Path file = dir.resolve("c.tok");
    TokenFile.prepare(source, BYTES, file, 1, BuildProgress.NONE).close();
    byte[] good = Files.readAllBytes(file);

    byte[] flipped = good.clone();
    flipped[30] ^= 1; // inside the token count
    assertOpenFails(file, flipped, "has a corrupt header (checksum mismatch)");

    byte[] magic = good.clone();
    magic[0] = 'X';
    assertOpenFails(file, magic, "is not a jgpt token file (bad magic)");

    assertOpenFails(file, Arrays.copyOf(good, good.length - 1),
        "is truncated: " + (good.length - 1) + " bytes, expected " + good.length);
    assertOpenFails(file, Arrays.copyOf(good, 100), "is truncated: 100 bytes, shorter than its 128-byte header");
    assertOpenFails(file, Arrays.copyOf(good, good.length + 2), "has trailing bytes");

    Files.write(file, Arrays.copyOf(good, good.length - 1));
    try (TokenFile rebuilt = TokenFile.prepare(source, BYTES, file, 1, BuildProgress.NONE)) {
      assertTrue(rebuilt.built(), "a damaged cache is rebuilt, not an error");
    }
    assertArrayEquals(good, Files.readAllBytes(file));
  }

  private static void assertOpenFails(Path file, byte[] content, String problem) throws IOException {
    Files.write(file, content);
    var e = assertThrows(CorruptTokenFileException.class, () -> TokenFile.open(file, BYTES));
    assertTrue(e.getMessage().startsWith("token file " + file + " "), e.getMessage());
    assertTrue(e.getMessage().contains(problem), e.getMessage());
    assertTrue(e.getMessage().endsWith("; delete it and it is rebuilt from the corpus"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void largeVocabulariesUseInt32Ids() throws IOException {
    // Written by hand: no tokenizer with more than 65536 ids is at hand in this module's tests.
    int[] ids = {0, 65535, 65536, 99_999, 7};
    Path file = dir.resolve("wide.tok");
    TokenFileHeader header = TokenFileHeader.of(100_000, 99_999, ids.length, 4, 2, Sha256.of("wide"), Sha256.of("c"));
    assertEquals(4, header.tokenWidth());
    ByteBuffer body = ByteBuffer.allocate(ids.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int id : ids) body.putInt(id);
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      out.write(header.encode());
      out.write(body.flip());
    }
    try (TokenFile tokens = TokenFile.openUnchecked(file, id -> id == 99_999 ? 0 : 1)) {
      assertArrayEquals(ids, ids(tokens));
      assertEquals(65536, tokens.get(2));
      assertEquals(4, tokens.byteCount(0, 5));
    }
    assertEquals(2, TokenFileHeader.widthFor(65536));
    assertEquals(4, TokenFileHeader.widthFor(65537));
  }

  @Test
  void anAllBinaryFolderIsAnErrorAndLeavesNoFile() throws IOException {
    write("bin/a.dat", new byte[] {1, 0, 2});
    CorpusSource source = CorpusSource.resolve(dir.resolve("bin").toString(), OPTIONS);
    Path file = dir.resolve("out/bin.tok");
    var e = assertThrows(IllegalArgumentException.class, () -> TokenFile.prepare(source, BYTES, file, 1, BuildProgress.NONE));
    assertTrue(e.getMessage().contains("has no text: all 1 of its documents look binary"), e.getMessage());
    try (Stream<Path> left = Files.list(file.getParent())) {
      assertEquals(0, left.count());
    }
  }

  private static TokenFileHeader readHeader(Path file) throws IOException {
    byte[] raw = Arrays.copyOf(Files.readAllBytes(file), TokenFileHeader.SIZE);
    return TokenFileHeader.decode(ByteBuffer.wrap(raw), Files.size(file), file);
  }

  private static void writeHeader(Path file, TokenFileHeader header) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.write(header.encode().array());
    }
  }
}
