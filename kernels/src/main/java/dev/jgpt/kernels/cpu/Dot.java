package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Vector dot products: the inner loops of gemv and of decode attention. */
final class Dot {
  private Dot() {}

  /**
   * The vectors for data that streams from memory (a large gemv's weight rows): the CPU's
   * preferred ones, capped at 256 bits. A Java array is only 8-byte aligned, so a 512-bit load
   * straddles two cache lines every time where a 256-bit one does every other time; measured on
   * Zen 5 streaming GPT-2's head, one core: F32 28-31 GB/s at 256 bits against 22-27 at 512
   * (bf16 25-30 against 21-24). Data in cache is faster at the preferred width.
   */
  static final VectorSpecies<Float> STREAM = S.vectorBitSize() > 256 ? FloatVector.SPECIES_256 : S;
  /** Floats per {@link #STREAM} vector. */
  static final int STREAM_L = STREAM.length();

  // x (n) . y (n)
  static float dot(float[] x, int xo, float[] y, int yo, int n) {
    FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S);
    int i = 0;
    // Two accumulators hide the FMA latency.
    for (; i + 2 * L <= n; i += 2 * L) {
      acc0 = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), acc0);
      acc1 = FloatVector.fromArray(S, x, xo + i + L).fma(FloatVector.fromArray(S, y, yo + i + L), acc1);
    }
    for (; i + L <= n; i += L) {
      acc0 = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), acc0);
    }
    // -0 + acc0 = acc0: the loop-carried accumulators added in a known receiver (see Vec)
    float sum = Vec.sumLanes(FloatVector.broadcast(S, -0f).add(acc0).add(acc1));
    for (; i < n; i++) sum += x[xo + i] * y[yo + i];
    return sum;
  }

  // x (n) . y (n), y streaming from memory: as dot, in STREAM vectors (its own order of sums)
  static float dotStreamed(float[] x, int xo, float[] y, int yo, int n) {
    VectorSpecies<Float> s = STREAM;
    int l = STREAM_L;
    FloatVector acc0 = FloatVector.zero(s), acc1 = FloatVector.zero(s);
    int i = 0;
    for (; i + 2 * l <= n; i += 2 * l) {
      acc0 = FloatVector.fromArray(s, x, xo + i).fma(FloatVector.fromArray(s, y, yo + i), acc0);
      acc1 = FloatVector.fromArray(s, x, xo + i + l).fma(FloatVector.fromArray(s, y, yo + i + l), acc1);
    }
    for (; i + l <= n; i += l) {
      acc0 = FloatVector.fromArray(s, x, xo + i).fma(FloatVector.fromArray(s, y, yo + i), acc0);
    }
    float sum = sumStreamLanes(FloatVector.broadcast(s, -0f).add(acc0).add(acc1)); // known receiver (see Vec)
    for (; i < n; i++) sum += x[xo + i] * y[yo + i];
    return sum;
  }

  /**
   * out[oa] = biasA + x (n) . y (n) at ya, out[ob] = biasB + x . y at yb: two {@link #dotStreamed}s
   * in one loop, each with its bits (same accumulators, lane sums and tail). For two weight rows
   * far apart: one core streams more bytes a second from two distant sequential runs than from
   * one (measured on Zen 5, GPT-2 124M's matrices, one thread: 33-35 GB/s against 24-26 for one
   * row at a time, 30 for two neighbouring rows), as it keeps more cache-line misses in flight.
   */
  static void dotStreamedPair(float[] x, int xo, float[] y, int ya, int yb, int n, float[] out, int oa, float biasA,
      int ob, float biasB) {
    VectorSpecies<Float> s = STREAM;
    int l = STREAM_L;
    FloatVector a0 = FloatVector.zero(s), a1 = a0, b0 = a0, b1 = a0;
    int i = 0;
    for (; i + 2 * l <= n; i += 2 * l) {
      FloatVector x0 = FloatVector.fromArray(s, x, xo + i), x1 = FloatVector.fromArray(s, x, xo + i + l);
      a0 = x0.fma(FloatVector.fromArray(s, y, ya + i), a0);
      a1 = x1.fma(FloatVector.fromArray(s, y, ya + i + l), a1);
      b0 = x0.fma(FloatVector.fromArray(s, y, yb + i), b0);
      b1 = x1.fma(FloatVector.fromArray(s, y, yb + i + l), b1);
    }
    if (i + l <= n) {
      FloatVector x0 = FloatVector.fromArray(s, x, xo + i);
      a0 = x0.fma(FloatVector.fromArray(s, y, ya + i), a0);
      b0 = x0.fma(FloatVector.fromArray(s, y, yb + i), b0);
      i += l;
    }
    FloatVector negativeZero = FloatVector.broadcast(s, -0f); // known receivers (see Vec)
    float sumA = sumStreamLanes(negativeZero.add(a0).add(a1)), sumB = sumStreamLanes(negativeZero.add(b0).add(b1));
    for (; i < n; i++) {
      sumA += x[xo + i] * y[ya + i];
      sumB += x[xo + i] * y[yb + i];
    }
    out[oa] = biasA + sumA;
    out[ob] = biasB + sumB;
  }

  /** The lanes of a {@link #STREAM} vector added left to right; 8 named one by one, as {@link Vec#sumLanes} does. */
  static float sumStreamLanes(FloatVector vector) {
    FloatVector v = FloatVector.broadcast(STREAM, -0f).add(vector); // -0 + x = x: a known receiver (see Vec)
    if (STREAM_L == 8) {
      return v.lane(0) + v.lane(1) + v.lane(2) + v.lane(3) + v.lane(4) + v.lane(5) + v.lane(6) + v.lane(7);
    }
    float s = v.lane(0);
    for (int i = 1; i < STREAM_L; i++) s += v.lane(i);
    return s;
  }
}
