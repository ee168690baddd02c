package dev.jgpt.corpus;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Git's rule for "binary": a NUL byte in the first 8 KiB. Text in any 8-bit encoding (UTF-8,
 * Latin-1, broken UTF-8) passes; images, class files, archives and UTF-16 text do not.
 */
final class BinarySniffer {
  private BinarySniffer() {}

  static final int PREFIX = 8192;

  /** Passes a document to the visitor, or reports it skipped when it should be checked and looks binary. */
  static void visit(DocumentInfo document, InputStream raw, boolean skipBinary, DocumentVisitor visitor)
      throws IOException {
    if (!skipBinary) {
      visitor.visit(document, raw);
      return;
    }
    BufferedInputStream in = new BufferedInputStream(raw, PREFIX);
    if (looksBinary(in)) visitor.skipped(document);
    else visitor.visit(document, in);
  }

  /** Looks at the first bytes and leaves the stream where it was. */
  static boolean looksBinary(BufferedInputStream in) throws IOException {
    in.mark(PREFIX);
    byte[] head = in.readNBytes(PREFIX);
    in.reset();
    for (byte b : head) if (b == 0) return true;
    return false;
  }
}
