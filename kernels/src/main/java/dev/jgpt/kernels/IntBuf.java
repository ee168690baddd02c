package dev.jgpt.kernels;

/** A buffer of ints owned by a {@link Backend}: token ids, targets, positions, step counters. */
public abstract class IntBuf {
  private final String name;
  private final int size;

  protected IntBuf(String name, int size) {
    if (size < 0) throw new IllegalArgumentException("buffer " + name + ": negative size " + size);
    this.name = name;
    this.size = size;
  }

  public final String name() {
    return name;
  }

  public final int size() {
    return size;
  }

  /**
   * Element {@code index} as the host last wrote it. Int buffers are written only by the host
   * (token ids, targets, positions), so this is the value the ops read: {@link CheckedBackend}
   * checks ids and positions with it, without a device read inside a step.
   */
  public abstract int hostValue(int index);

  @Override
  public String toString() {
    return name + "[" + size + "]";
  }
}
