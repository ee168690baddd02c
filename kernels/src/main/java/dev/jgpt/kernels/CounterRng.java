package dev.jgpt.kernels;

/**
 * Counter-based random numbers: a value is a pure function of (seed, step, stream, index), so
 * any thread, any backend (CPU or GPU) and a resumed run draw exactly the same numbers without
 * carrying generator state. Used for dropout masks, weight init and data sampling.
 *
 * <p>Construction: {@link #key} folds seed, step and stream into one 64-bit key with the
 * SplitMix64 finaliser; element {@code i} is then the finaliser applied to
 * {@code key + (i + 1) * GOLDEN}, i.e. position i of a SplitMix64 sequence seeded by the key.
 * Only 64-bit multiply, xor and shift: the same arithmetic on every device.
 */
public final class CounterRng {
  private CounterRng() {}

  /** 2^64 / golden ratio, SplitMix64's increment. */
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  /** SplitMix64's output finaliser (Stafford variant 13): a bijective 64-bit mix. */
  public static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** One key per (seed, step, stream); compute it once per kernel call, outside the element loop. */
  public static long key(long seed, long step, int stream) {
    long k = mix64(seed + GOLDEN);
    k = mix64(k ^ (step * 0xD1B54A32D192ED03L + GOLDEN));
    return mix64(k ^ ((long) stream * 0xAEF17502108EF2D9L + GOLDEN));
  }

  /** The 64 random bits of element {@code index} under {@code key}. */
  public static long bits(long key, long index) {
    return mix64(key + (index + 1) * GOLDEN);
  }

  /** Uniform float in [0, 1) with 24 random bits (every value exactly representable). */
  public static float uniform(long key, long index) {
    return (bits(key, index) >>> 40) * 0x1.0p-24f;
  }

  /** Uniform float in [0, 1) for (seed, step, stream, index). */
  public static float uniform(long seed, long step, int stream, long index) {
    return uniform(key(seed, step, stream), index);
  }

  /**
   * Standard normal for element {@code index} (Box-Muller on two 32-bit halves of one draw):
   * weight init uses it as {@code std * normal(key, i)}.
   */
  public static float normal(long key, long index) {
    long b = bits(key, index);
    // u1 in (0, 1] so log never sees 0; u2 in [0, 1).
    double u1 = ((b >>> 32) + 1) * 0x1.0p-32;
    double u2 = (b & 0xFFFFFFFFL) * 0x1.0p-32;
    return (float) (Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2));
  }

  /** Uniform int in [0, bound) for element {@code index}, e.g. a random batch start (bound > 0). */
  public static int nextInt(long key, long index, int bound) {
    if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
    // Multiply-shift on 32 random bits: bias below 2^-32 * bound, negligible for sampling.
    return (int) (((bits(key, index) >>> 32) * bound) >>> 32);
  }
}
