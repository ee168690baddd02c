package dev.jgpt.corpus;

/**
 * Counter-based choice of training windows: the window of (seed, batch, row) is a pure function
 * of the three, so a run resumed at batch n draws exactly the batches the uninterrupted run
 * would have, with no generator state to save. SplitMix64 mixing, as in the kernels' CounterRng
 * (this module does not depend on kernels).
 */
final class WindowRng {
  private WindowRng() {}

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** 64 random bits for (seed, batch, row). */
  static long bits(long seed, long batch, long row) {
    long key = mix64(seed + GOLDEN);
    key = mix64(key ^ (batch * 0xD1B54A32D192ED03L + GOLDEN));
    return mix64(key + (row + 1) * GOLDEN);
  }

  /** Uniform in [0, bound) (bound > 0): the high half of a 64x64-bit product, bias below bound / 2^64. */
  static long below(long bound, long seed, long batch, long row) {
    return Math.unsignedMultiplyHigh(bits(seed, batch, row), bound);
  }
}
