package dev.jgpt.kernels;

/**
 * A {@link FloatBuf} backed by a Java array: the buffer of the reference and CPU backends.
 * Kernels reach the elements through {@link #data}; model code never does.
 */
public final class HeapFloatBuf extends FloatBuf {
  /** The elements, {@code size()} floats. */
  public final float[] data;

  public HeapFloatBuf(String name, int size) {
    super(name, size);
    this.data = new float[size];
  }

  /** The array behind a slice; fails with a clear message for a buffer of another backend. */
  public static float[] array(Slice s) {
    if (s.buf() instanceof HeapFloatBuf h) return h.data;
    throw new IllegalArgumentException(
        "buffer " + s.buf() + " belongs to another backend (not a heap buffer); allocate it with this backend");
  }
}
