package dev.jgpt.kernels;

/**
 * The gradient norm's sum of squares, computed so that every backend gets the same float, bit for
 * bit, whatever its summation order, fused multiply-adds or relaxed-math compiler flags: the sum
 * runs on integers. The CPU backend calls these; the TornadoVM kernels
 * (OptimizerKernels.normPartials, normFinish) are the same code over device arrays.
 *
 * <p>How: a run of non-negative floats (squares of one chunk of gradients, or the chunks' sums) is
 * scaled by a power of two k that puts its largest value in [2^25, 2^26); each scaled value t
 * becomes the fixed-point number t * 2^16 truncated ({@link #fixed}: its whole part and 16 bits of
 * its fraction, through ints, since TornadoVM 5.2 converts float to long through a 32-bit int),
 * the longs are added (exact, so in any order), and the total is rounded to float once and scaled
 * back. Scaling by a power of two, splitting and truncating are exact and identical everywhere
 * (also under fused multiply-adds: the products are exact); each term loses less than 2^-41 of the
 * largest value, so a sum of n terms is within n * 2^-41 of it: 2^-28 for a chunk, under float's
 * 2^-24. Squares are taken with one float multiply, which rounds the same everywhere.
 *
 * <p>Non-finite values: a largest value above 2^100 (an infinite or exploding gradient) gives the
 * plain float sum instead, which carries the infinity; NaN gradients give NaN on the CPU (the
 * device, compiled with finite-math flags, may give any value, and the NaN reaches the loss
 * through AdamW anyway).
 */
public final class FixedPointSquares {
  private FixedPointSquares() {}

  /** Gradients per chunk: each chunk's sum of squares is one term of the total. */
  public static final int CHUNK = 8192;

  /** Terms a sum may add: each below 2^42 as a fixed-point long, so the sum stays below 2^62. */
  public static final int MAX_TERMS = 1 << 20;

  /** 2^25, 2^26, 2^16, 2^-16 and 2^100, exact in float. */
  public static final float TWO_POW_25 = 33554432f;
  public static final float TWO_POW_26 = 67108864f;
  public static final float TWO_POW_16 = 65536f;
  public static final float TWO_POW_MINUS_16 = 1.5258789E-5f;
  public static final float TWO_POW_100 = 1.2676506E30f;

  /** Chunks for n gradients. */
  public static int chunks(int n) {
    return (n + CHUNK - 1) / CHUNK;
  }

  /** Sum of squares of x[xo .. xo + n), n <= CHUNK. */
  public static float chunkSquares(float[] x, int xo, int n) {
    float max = 0f;
    float plain = 0f;
    for (int i = 0; i < n; i++) {
      float s = x[xo + i] * x[xo + i];
      if (s > max) max = s;
      plain += s;
    }
    if (Float.isNaN(plain)) return plain;
    if (max == 0f || max > TWO_POW_100) return max == 0f ? 0f : plain;
    float k = scaleFor(max);
    long sum = 0;
    for (int i = 0; i < n; i++) sum += fixed(x[xo + i] * x[xo + i] * k);
    return (float) sum * (inverseOf(k) * TWO_POW_MINUS_16);
  }

  /** Sum of the non-negative terms x[xo .. xo + n), n <= MAX_TERMS (the chunks' sums). */
  public static float sum(float[] x, int xo, int n) {
    float max = 0f;
    float plain = 0f;
    for (int i = 0; i < n; i++) {
      if (x[xo + i] > max) max = x[xo + i];
      plain += x[xo + i];
    }
    if (Float.isNaN(plain)) return plain;
    if (max == 0f || max > TWO_POW_100) return max == 0f ? 0f : plain;
    float k = scaleFor(max);
    long sum = 0;
    for (int i = 0; i < n; i++) sum += fixed(x[xo + i] * k);
    return (float) sum * (inverseOf(k) * TWO_POW_MINUS_16);
  }

  /**
   * t (0 <= t < 2^26) as fixed point with 16 fraction bits, truncated: the whole part and the
   * fraction (exact in float: t minus its whole part) each through an int.
   */
  public static long fixed(float t) {
    int whole = (int) t;
    int fraction = (int) ((t - whole) * TWO_POW_16);
    return (long) whole * 65536L + fraction;
  }

  /** The power of two k with max * k in [2^25, 2^26), for 0 < max <= 2^100 (k at most 2^100). */
  public static float scaleFor(float max) {
    float k = 1f;
    while (max * k < TWO_POW_25 && k < TWO_POW_100) k *= 2f;
    while (max * k >= TWO_POW_26) k *= 0.5f;
    return k;
  }

  /** 1 / k for a power of two k from {@link #scaleFor}, by halving (exact; no division). */
  public static float inverseOf(float k) {
    float inverse = 1f;
    float p = 1f;
    while (p < k) {
      p *= 2f;
      inverse *= 0.5f;
    }
    while (p > k) {
      p *= 0.5f;
      inverse *= 2f;
    }
    return inverse;
  }
}
