package dev.jgpt.corpus;

import java.io.IOException;
import java.util.List;

/**
 * A corpus: documents in a fixed order, read as raw bytes (text that is not UTF-8 survives,
 * since the tokenizer is byte-level). Made by {@link #resolve} from a {@code --corpus} value: a
 * file, a folder, a .zip archive or a named corpus ({@link #NAMED}).
 */
public interface CorpusSource {

  /** The named corpora, the default first. */
  List<String> NAMED = List.of("jdk", "shakespeare");

  String DEFAULT = "jdk";

  /** What the user asked for, for messages and status lines (e.g. "jdk" or a path). */
  String name();

  /** Stable identity of the source (not of its content): names its token file in the cache. */
  String cacheKey();

  /** Hex SHA-256 that changes whenever the documents may have changed; token files store it. */
  String fingerprint();

  /** The documents in reading order (sorted by name for folders and archives). */
  List<DocumentInfo> documents();

  /** Sum of the listed sizes, for progress bars (binary documents skipped while reading included). */
  default long totalBytes() {
    return documents().stream().mapToLong(d -> Math.max(0, d.size())).sum();
  }

  /** Streams every document, in order, to the visitor. */
  void read(DocumentVisitor visitor) throws IOException;

  /** Every document's bytes, whole, in order (e.g. to train a tokenizer). */
  default void forEachDocument(DocumentBytesConsumer consumer) throws IOException {
    read((document, in) -> consumer.accept(document, in.readAllBytes()));
  }

  @FunctionalInterface
  interface DocumentBytesConsumer {
    void accept(DocumentInfo document, byte[] bytes) throws IOException;
  }

  /** Resolves a {@code --corpus} value with default options. */
  static CorpusSource resolve(String spec) throws IOException {
    return CorpusResolver.resolve(spec, CorpusOptions.defaults());
  }

  /**
   * Resolves a {@code --corpus} value: a named corpus when it is one of {@link #NAMED} (write
   * {@code ./jdk} for a folder of that name), else a .zip archive, a folder or a file.
   */
  static CorpusSource resolve(String spec, CorpusOptions options) throws IOException {
    return CorpusResolver.resolve(spec, options);
  }

  /**
   * True when a {@code --corpus} value is one document (a file that is not a .zip archive, or
   * shakespeare), so there is nothing for {@code --include} and {@code --exclude} to choose.
   */
  static boolean isSingleFile(String spec) {
    return CorpusResolver.isSingleFile(spec);
  }
}
