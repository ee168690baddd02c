package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import dev.jgpt.kernels.FixedPointSquares;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link FixedPointSquares#chunkSquares} in vectors: the same float, bit for bit, at the speed of
 * the plain float sum it replaced (the scalar form costs about 1 ns per gradient, 5% of a GPT-2
 * 124M step). Lane by lane it does what the scalar loop does: one float multiply for the square,
 * one for the power-of-two scale, Java's float-to-int conversion for the whole part and for the
 * 16 fraction bits; the parts are then added as integers, and integer sums do not depend on order.
 *
 * <p>Whole parts are below 2^26, so an int lane holds the sum of {@link #INT_BLOCK} of them
 * without overflow; every block the int lanes are widened into long lanes. Chunks whose largest
 * square is 0, above 2^100 or NaN take the scalar path (their value is the plain float sum or 0).
 */
final class VectorSquares {
  private VectorSquares() {}

  /** Vectors added in int lanes before widening: 16 * (2^26 - 1) < 2^31. */
  static final int INT_BLOCK = 16;

  /**
   * The largest square of x[xo .. xo + n), n a multiple of the vector length; NaN if a square is
   * NaN. Compared as ints: a square is +0, positive or NaN, and with the sign bit cleared (a NaN
   * may carry one) positive floats order like their bit patterns, every NaN above infinity. One
   * integer max per vector; FloatVector.max, which must order NaN and -0 as Java does, compiles
   * to a sequence whose latency chained through the running max made this pass cost five times
   * as much as the squares' sum (about 0.2 ms of a 0.3 ms norm at the nanoGPT CPU shape).
   */
  static float largestSquare(float[] x, int xo, int n) {
    IntVector maxBits = IntVector.zero(Vec.INTS);
    for (int i = 0; i < n; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, xo + i);
      // the fresh vector is the receiver, maxBits only an argument (known receiver, see Vec)
      maxBits = ((IntVector) v.mul(v).reinterpretAsInts()).and(0x7FFF_FFFF).max(maxBits);
    }
    // 0 is no larger than any lane (all >= 0): a known receiver with the same maximum
    return Float.intBitsToFloat(IntVector.zero(Vec.INTS).max(maxBits).reduceLanes(VectorOperators.MAX));
  }

  /** Sum of squares of x[xo .. xo + n), n <= FixedPointSquares.CHUNK, equal to FixedPointSquares.chunkSquares. */
  static float chunkSquares(float[] x, int xo, int n) {
    int bound = Vec.loopBound(n);
    float max = largestSquare(x, xo, bound);
    for (int i = bound; i < n; i++) max = Math.max(max, x[xo + i] * x[xo + i]);
    if (!(max > 0f && max <= FixedPointSquares.TWO_POW_100)) return FixedPointSquares.chunkSquares(x, xo, n);

    float k = FixedPointSquares.scaleFor(max);
    LongVector wholes0 = LongVector.zero(Vec.LONGS);
    LongVector wholes1 = wholes0, fractions0 = wholes0, fractions1 = wholes0;
    int i = 0;
    while (i < bound) {
      int blockEnd = Math.min(bound, i + INT_BLOCK * L);
      IntVector wholes = IntVector.zero(Vec.INTS);
      IntVector fractions = wholes;
      for (; i < blockEnd; i += L) {
        FloatVector v = FloatVector.fromArray(S, x, xo + i);
        FloatVector t = v.mul(v).mul(k);
        IntVector whole = (IntVector) t.convertShape(VectorOperators.F2I, Vec.INTS, 0);
        FloatVector rest = t.sub((FloatVector) whole.convertShape(VectorOperators.I2F, Vec.S, 0));
        // integer sums: the fresh vector as the receiver gives the same sum (known receiver, see Vec)
        wholes = whole.add(wholes);
        IntVector fraction =
            (IntVector) rest.mul(FixedPointSquares.TWO_POW_16).convertShape(VectorOperators.F2I, Vec.INTS, 0);
        fractions = fraction.add(fractions);
      }
      // 0 + x = x: the loop-carried block sums re-made as known receivers before their conversions
      IntVector zero = IntVector.zero(Vec.INTS);
      wholes = zero.add(wholes);
      fractions = zero.add(fractions);
      wholes0 = ((LongVector) wholes.convertShape(VectorOperators.I2L, Vec.LONGS, 0)).add(wholes0);
      wholes1 = ((LongVector) wholes.convertShape(VectorOperators.I2L, Vec.LONGS, 1)).add(wholes1);
      fractions0 = ((LongVector) fractions.convertShape(VectorOperators.I2L, Vec.LONGS, 0)).add(fractions0);
      fractions1 = ((LongVector) fractions.convertShape(VectorOperators.I2L, Vec.LONGS, 1)).add(fractions1);
    }
    LongVector zeros = LongVector.zero(Vec.LONGS);
    long sum = zeros.add(wholes0).add(wholes1).reduceLanes(VectorOperators.ADD) * 65536L
        + zeros.add(fractions0).add(fractions1).reduceLanes(VectorOperators.ADD);
    for (int j = bound; j < n; j++) sum += FixedPointSquares.fixed(x[xo + j] * x[xo + j] * k);
    return (float) sum * (FixedPointSquares.inverseOf(k) * FixedPointSquares.TWO_POW_MINUS_16);
  }
}
