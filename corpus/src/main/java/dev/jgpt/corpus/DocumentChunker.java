package dev.jgpt.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Cuts one document's bytes into chunks that are encoded independently (in parallel), so a
 * single large file does not keep one core busy while the others wait.
 *
 * <p>A chunk ends at the first line start at least {@code target} bytes in: after a '\n' and
 * before a byte that is neither whitespace nor inside a UTF-8 sequence. The gpt2, cl100k and
 * o200k split patterns always start a new piece there, so the tokens equal those of encoding the
 * document whole (TokenFileTest checks it); with a custom pattern they may differ at a cut, and
 * the ids still decode to exactly the original bytes. A text without line
 * starts is cut at {@code forced} bytes (outside a UTF-8 sequence). Where cuts fall depends on the
 * bytes alone, never on how the stream delivers them, so every machine builds the same tokens.
 */
final class DocumentChunker {
  static final int TARGET = 256 * 1024;

  private final InputStream in;
  private final int target;
  private final int forced;
  private byte[] buf;
  private int start; // unread bytes are buf[start, end)
  private int end;
  private boolean eof;

  DocumentChunker(InputStream in, int target) {
    this.in = in;
    this.target = target;
    this.forced = 16 * target;
    this.buf = new byte[Math.max(2 * target, 64)];
  }

  /** The next chunk, or null when the document is used up (an empty document has no chunks). */
  byte[] next() throws IOException {
    int scan = target; // candidates below scan (relative to start) are already rejected
    while (true) {
      int cut = firstCut(scan);
      if (cut > 0) return take(cut);
      scan = Math.max(scan, end - start);
      if (eof) return end > start ? take(end - start) : null;
      fill();
    }
  }

  /** The first valid cut at relative offset >= scan among the bytes buffered, or -1. */
  private int firstCut(int scan) {
    for (int p = Math.max(scan, 1); start + p < end; p++) {
      byte b = buf[start + p];
      if (isContinuation(b) && p < 2 * forced) continue;
      if (p >= forced || (buf[start + p - 1] == '\n' && !isWhitespace(b))) return p;
    }
    return -1;
  }

  private byte[] take(int length) {
    byte[] chunk = Arrays.copyOfRange(buf, start, start + length);
    start += length;
    return chunk;
  }

  private void fill() throws IOException {
    if (end == buf.length) {
      int unread = end - start;
      if (unread > buf.length / 2) buf = Arrays.copyOf(buf, buf.length * 2);
      System.arraycopy(buf, start, buf, 0, unread);
      start = 0;
      end = unread;
    }
    int n = in.read(buf, end, buf.length - end);
    if (n < 0) eof = true;
    else end += n;
  }

  private static boolean isContinuation(byte b) {
    return (b & 0xC0) == 0x80;
  }

  private static boolean isWhitespace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }
}
