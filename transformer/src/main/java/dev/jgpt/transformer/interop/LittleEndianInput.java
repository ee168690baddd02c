package dev.jgpt.transformer.interop;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Little-endian primitives read sequentially from a file through one 64 KiB buffer. Every length
 * is checked against the bytes the file has left, so a damaged count is an error, not a huge
 * allocation.
 */
final class LittleEndianInput {
  private final FileChannel ch;
  private final long size;
  private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
  private long bufStart; // file position of buf's first byte

  LittleEndianInput(FileChannel ch) throws IOException {
    this.ch = ch;
    this.size = ch.size();
    buf.limit(0);
  }

  /** File position of the next byte read. */
  long position() {
    return bufStart + buf.position();
  }

  long remaining() {
    return size - position();
  }

  int u8() throws IOException {
    need(1);
    return buf.get() & 0xFF;
  }

  short u16() throws IOException {
    need(2);
    return buf.getShort();
  }

  int u32() throws IOException {
    need(4);
    return buf.getInt();
  }

  long u64() throws IOException {
    need(8);
    return buf.getLong();
  }

  float f32() throws IOException {
    need(4);
    return buf.getFloat();
  }

  double f64() throws IOException {
    need(8);
    return buf.getDouble();
  }

  /** A GGUF string: uint64 byte count, then that many bytes of UTF-8. */
  String string() throws IOException {
    long n = u64();
    if (n < 0 || n > remaining() || n > Integer.MAX_VALUE - 16) {
      throw new IOException("a string of " + Long.toUnsignedString(n) + " bytes runs past the end of the file");
    }
    byte[] b = new byte[(int) n];
    int done = 0;
    while (done < b.length) {
      if (!buf.hasRemaining()) refill();
      int k = Math.min(buf.remaining(), b.length - done);
      buf.get(b, done, k);
      done += k;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw new IOException("a string is not valid UTF-8");
    }
  }

  private void need(int n) throws IOException {
    if (buf.remaining() >= n) return;
    refill();
    if (buf.remaining() < n) throw new EOFException("the file ends in the middle of a value");
  }

  /** Moves the unread bytes to the front and reads more after them. */
  private void refill() throws IOException {
    bufStart += buf.position();
    buf.compact();
    while (buf.hasRemaining()) {
      int r = ch.read(buf, bufStart + buf.position());
      if (r <= 0) break;
    }
    buf.flip();
  }
}
