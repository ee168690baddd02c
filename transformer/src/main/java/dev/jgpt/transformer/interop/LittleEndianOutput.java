package dev.jgpt.transformer.interop;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Little-endian primitives onto an OutputStream through one 64 KiB buffer, counting the bytes
 * written so a format can pad to its alignment.
 */
final class LittleEndianOutput {
  private final OutputStream out;
  private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
  private long written; // bytes handed to out so far

  LittleEndianOutput(OutputStream out) {
    this.out = out;
  }

  /** Bytes written so far, buffered ones included. */
  long position() {
    return written + buf.position();
  }

  void u8(int v) throws IOException {
    room(1);
    buf.put((byte) v);
  }

  void u16(short v) throws IOException {
    room(2);
    buf.putShort(v);
  }

  void u32(int v) throws IOException {
    room(4);
    buf.putInt(v);
  }

  void u64(long v) throws IOException {
    room(8);
    buf.putLong(v);
  }

  void f32(float v) throws IOException {
    room(4);
    buf.putFloat(v);
  }

  /** A string as GGUF stores it: uint64 byte count, then UTF-8 bytes, no terminator. */
  void string(String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    u64(b.length);
    bytes(b);
  }

  void bytes(byte[] b) throws IOException {
    if (b.length > buf.remaining()) {
      drain();
      if (b.length > buf.capacity()) {
        out.write(b);
        written += b.length;
        return;
      }
    }
    buf.put(b);
  }

  /** Zero bytes up to the next multiple of {@code alignment}. */
  void padTo(int alignment) throws IOException {
    while (position() % alignment != 0) u8(0);
  }

  /** Hands every buffered byte to the stream (the caller flushes and closes it). */
  void drain() throws IOException {
    out.write(buf.array(), 0, buf.position());
    written += buf.position();
    buf.clear();
  }

  private void room(int n) throws IOException {
    if (buf.remaining() < n) drain();
  }
}
