package dev.jgpt.corpus;

import dev.jgpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * A corpus tokenized once into a file and memory-mapped: the OS pages tokens in as batches
 * touch them, so a corpus larger than the heap works, and a second run starts at once.
 *
 * <p>{@link #prepare} reuses the file while its header names the same tokenizer hash and corpus
 * fingerprint, and rebuilds it otherwise (also when it is damaged: it is only a cache). The
 * layout is in {@link TokenFileHeader}. Close it to unmap; reads after close fail.
 */
public final class TokenFile implements TokenData, AutoCloseable {
  private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final Path path;
  private final TokenFileHeader header;
  private final Arena arena;
  private final MemorySegment tokens; // (tokenCount) ids, each tokenWidth bytes, little-endian
  private final TokenLengths lengths;
  private final boolean built;

  private TokenFile(Path path, TokenFileHeader header, Arena arena, MemorySegment tokens, TokenLengths lengths,
                    boolean built) {
    this.path = path;
    this.header = header;
    this.arena = arena;
    this.tokens = tokens;
    this.lengths = lengths;
    this.built = built;
  }

  /** Where the token file of this corpus and tokenizer lives in the cache folder. */
  public static Path cachePath(CorpusSource source, Tokenizer tokenizer, Path cacheDir) {
    String slug = source.name().replaceAll(".*[/\\\\]", "").replaceAll("[^A-Za-z0-9._-]", "_");
    if (slug.isEmpty()) slug = "corpus";
    if (slug.length() > 40) slug = slug.substring(0, 40);
    String key = Sha256.of(source.cacheKey() + "\n" + tokenizer.hash()).substring(0, 16);
    return cacheDir.resolve("tokens").resolve(slug + "-" + key + ".tok");
  }

  /** {@link #prepare(CorpusSource, Tokenizer, Path, int, BuildProgress)} on all cores. */
  public static TokenFile prepare(CorpusSource source, Tokenizer tokenizer, Path file, BuildProgress progress)
      throws IOException {
    return prepare(source, tokenizer, file, Runtime.getRuntime().availableProcessors(), progress);
  }

  /**
   * Opens {@code file} when it holds this corpus tokenized by this tokenizer, else (re)builds it
   * on {@code threads} threads, reporting to {@code progress}. See {@link #built()}.
   */
  public static TokenFile prepare(CorpusSource source, Tokenizer tokenizer, Path file, int threads,
                                  BuildProgress progress) throws IOException {
    return prepare(source, tokenizer, file, threads, progress, () -> false);
  }

  /**
   * {@link #prepare(CorpusSource, Tokenizer, Path, int, BuildProgress)} that a build checks
   * {@code stopRequested} for between chunks (Ctrl-C): when it turns true the build ends with an
   * {@link java.io.InterruptedIOException} and leaves neither a token file nor a partial one.
   */
  public static TokenFile prepare(CorpusSource source, Tokenizer tokenizer, Path file, int threads,
                                  BuildProgress progress, BooleanSupplier stopRequested) throws IOException {
    TokenLengths lengths = TokenLengths.of(tokenizer);
    if (Files.isRegularFile(file)) {
      try {
        TokenFileHeader header = readHeader(file);
        if (header.matches(tokenizer.hash(), source.fingerprint())) return map(file, header, lengths, false);
      } catch (CorruptTokenFileException damaged) {
        // A cache: rebuild it below.
      }
    }
    TokenFileHeader header = TokenFileWriter.write(source, tokenizer, file, threads, progress, stopRequested);
    return map(file, header, lengths, true);
  }

  /** Opens an existing token file made with {@code tokenizer}; fails clearly when it is damaged or was made with another. */
  public static TokenFile open(Path file, Tokenizer tokenizer) throws IOException {
    if (!Files.isRegularFile(file)) throw new IOException("token file " + file + " does not exist; build it from a corpus");
    TokenFileHeader header = readHeader(file);
    String expected = Sha256.hex(Sha256.raw(tokenizer.hash()));
    if (!header.tokenizerHashHex().equals(expected)) {
      throw new IllegalArgumentException("token file " + file + " was made with tokenizer "
          + header.tokenizerHashHex().substring(0, 12) + ", not with this one (" + expected.substring(0, 12)
          + "); use the matching tokenizer or rebuild the token file");
    }
    return map(file, header, TokenLengths.of(tokenizer), false);
  }

  /** Opens a token file without checking which tokenizer made it (tests of the file format). */
  static TokenFile openUnchecked(Path file, TokenLengths lengths) throws IOException {
    return map(file, readHeader(file), lengths, false);
  }

  private static TokenFileHeader readHeader(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer raw = ByteBuffer.allocate(TokenFileHeader.SIZE);
      while (raw.hasRemaining() && channel.read(raw) >= 0) {
        // read until the header is full or the file ends
      }
      return TokenFileHeader.decode(raw.flip().limit(TokenFileHeader.SIZE), channel.size(), file);
    }
  }

  private static TokenFile map(Path file, TokenFileHeader header, TokenLengths lengths, boolean built) throws IOException {
    Arena arena = Arena.ofShared();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      if (channel.size() != header.fileSize()) {
        throw new CorruptTokenFileException(file, "changed size while it was opened (" + channel.size() + " bytes)");
      }
      MemorySegment tokens = channel.map(FileChannel.MapMode.READ_ONLY, TokenFileHeader.SIZE,
          header.fileSize() - TokenFileHeader.SIZE, arena);
      return new TokenFile(file, header, arena, tokens, lengths, built);
    } catch (IOException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  /** True when {@link #prepare} tokenized the corpus, false when it reused the file. */
  public boolean built() {
    return built;
  }

  public long documentCount() {
    return header.documentCount();
  }

  public int vocabSize() {
    return header.vocabSize();
  }

  public int eotId() {
    return header.eotId();
  }

  /** 2 (uint16 ids) or 4 (int32 ids). */
  public int tokenWidth() {
    return header.tokenWidth();
  }

  @Override
  public long size() {
    return header.tokenCount();
  }

  @Override
  public int get(long index) {
    Objects.checkIndex(index, size());
    return read(index);
  }

  private int read(long index) {
    return header.tokenWidth() == 2
        ? Short.toUnsignedInt(tokens.get(U16, index * 2))
        : tokens.get(I32, index * 4);
  }

  @Override
  public void copy(long from, int[] dst, int dstOffset, int length) {
    Objects.checkFromIndexSize(from, length, size());
    Objects.checkFromIndexSize(dstOffset, length, dst.length);
    if (header.tokenWidth() == 2) {
      for (int i = 0; i < length; i++) dst[dstOffset + i] = Short.toUnsignedInt(tokens.get(U16, (from + i) * 2));
    } else {
      MemorySegment.copy(tokens, I32, from * 4, dst, dstOffset, length);
    }
  }

  /** The whole file's count comes from the header; a part is summed over its ids. */
  @Override
  public long byteCount(long from, long to) {
    Objects.checkFromToIndex(from, to, size());
    if (from == 0 && to == size()) return header.byteCount();
    long bytes = 0;
    for (long i = from; i < to; i++) bytes += lengths.bytes(read(i));
    return bytes;
  }

  @Override
  public void close() {
    arena.close();
  }

  @Override
  public String toString() {
    return "TokenFile[" + path + ", " + size() + " tokens, " + documentCount() + " documents]";
  }
}
