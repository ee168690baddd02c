package dev.jgpt.corpus;

import java.io.IOException;
import java.io.InputStream;

/** Receives a corpus's documents in order, each as a stream of its raw bytes. */
public interface DocumentVisitor {
  /** Reads {@code in} (raw bytes, not necessarily UTF-8); the stream is closed by the caller. */
  void visit(DocumentInfo document, InputStream in) throws IOException;

  /** A listed document that was not passed to {@link #visit} because it looks binary. */
  default void skipped(DocumentInfo document) {}
}
