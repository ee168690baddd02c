package dev.jgpt.kernels;

/** An {@link IntBuf} backed by a Java array (reference and CPU backends). */
public final class HeapIntBuf extends IntBuf {
  /** The elements, {@code size()} ints. */
  public final int[] data;

  public HeapIntBuf(String name, int size) {
    super(name, size);
    this.data = new int[size];
  }

  @Override
  public int hostValue(int index) {
    return data[index];
  }

  /** The array behind an int buffer; fails with a clear message for a buffer of another backend. */
  public static int[] array(IntBuf b) {
    if (b instanceof HeapIntBuf h) return h.data;
    throw new IllegalArgumentException(
        "buffer " + b + " belongs to another backend (not a heap buffer); allocate it with this backend");
  }
}
