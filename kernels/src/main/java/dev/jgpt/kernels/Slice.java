package dev.jgpt.kernels;

/**
 * A contiguous range of a {@link FloatBuf}: one tensor of the flat parameter, gradient or
 * activation buffer. Slices are made once when a model lays out its buffers (never inside a
 * step), so capture checks can compare them by buffer identity, offset and length.
 */
public record Slice(FloatBuf buf, int offset, int length) {
  public Slice {
    if (buf == null) throw new IllegalArgumentException("slice of a null buffer");
    if (offset < 0 || length < 0 || (long) offset + length > buf.size()) {
      throw new IllegalArgumentException(
          "slice [" + offset + ", " + ((long) offset + length) + ") outside " + buf);
    }
  }

  /** A sub-range relative to this slice. */
  public Slice sub(int from, int len) {
    if (from < 0 || len < 0 || (long) from + len > length) {
      throw new IllegalArgumentException("sub-slice [" + from + ", " + (from + len) + ") outside " + this);
    }
    return new Slice(buf, offset + from, len);
  }

  /** Checks that the slice holds at least {@code n} floats; kernels call this on every argument. */
  public Slice require(long n, String what) {
    if (length < n) {
      throw new IllegalArgumentException(what + ": needs " + n + " floats, slice has " + length + " (" + this + ")");
    }
    return this;
  }

  @Override
  public String toString() {
    return buf.name() + "[" + offset + ":" + (offset + length) + "]";
  }
}
