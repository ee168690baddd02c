package dev.jgpt.kernels;

/**
 * Buffers and host copies for backends whose buffers are Java heap arrays ({@link HeapFloatBuf},
 * {@link HeapIntBuf}): the reference backend and the CPU backend share them; only the kernels
 * differ. Arguments, host copy ranges included, are checked by {@link CheckedBackend}.
 */
public abstract class HeapBackend implements Backend {

  @Override
  public final boolean buffersOnHeap() {
    return true;
  }

  @Override
  public final FloatBuf allocFloat(String name, int size) {
    return new HeapFloatBuf(name, size);
  }

  @Override
  public final IntBuf allocInt(String name, int size) {
    return new HeapIntBuf(name, size);
  }

  @Override
  public final void write(FloatBuf dst, int dstOffset, float[] src, int srcOffset, int len) {
    System.arraycopy(src, srcOffset, HeapFloatBuf.array(dst.all()), dstOffset, len);
  }

  @Override
  public final void read(FloatBuf src, int srcOffset, float[] dst, int dstOffset, int len) {
    System.arraycopy(HeapFloatBuf.array(src.all()), srcOffset, dst, dstOffset, len);
  }

  @Override
  public final void write(IntBuf dst, int dstOffset, int[] src, int srcOffset, int len) {
    System.arraycopy(src, srcOffset, HeapIntBuf.array(dst), dstOffset, len);
  }

  @Override
  public final void read(IntBuf src, int srcOffset, int[] dst, int dstOffset, int len) {
    System.arraycopy(HeapIntBuf.array(src), srcOffset, dst, dstOffset, len);
  }

  /** The array behind a slice; null for a null (optional) slice. */
  protected static float[] a(Slice s) {
    return s == null ? null : HeapFloatBuf.array(s);
  }

  /** The offset of a slice; 0 for a null (optional) slice. */
  protected static int off(Slice s) {
    return s == null ? 0 : s.offset();
  }

  /** The dropout step counter, stored as a float in the step scalars (exact up to 2^24). */
  protected static long rngStep(Slice scalars) {
    return (long) HeapFloatBuf.array(scalars)[scalars.offset() + StepScalars.RNG_STEP];
  }
}
