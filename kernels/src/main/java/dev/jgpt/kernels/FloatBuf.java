package dev.jgpt.kernels;

/**
 * A buffer of floats owned by a {@link Backend}: on the CPU a Java array, on a GPU device memory.
 * Model code never touches the elements; it passes {@link Slice}s of buffers to backend ops and
 * copies to and from host arrays with {@link Backend#write} and {@link Backend#read}.
 */
public abstract class FloatBuf {
  private final String name;
  private final int size;

  protected FloatBuf(String name, int size) {
    if (size < 0) throw new IllegalArgumentException("buffer " + name + ": negative size " + size);
    this.name = name;
    this.size = size;
  }

  /** What the buffer holds ("params", "grads", "acts"...), for error messages and capture logs. */
  public final String name() {
    return name;
  }

  /** Number of floats. */
  public final int size() {
    return size;
  }

  /** The whole buffer as a slice. */
  public final Slice all() {
    return new Slice(this, 0, size);
  }

  /** {@code length} floats starting at {@code offset}. */
  public final Slice slice(int offset, int length) {
    return new Slice(this, offset, length);
  }

  @Override
  public String toString() {
    return name + "[" + size + "]";
  }
}
