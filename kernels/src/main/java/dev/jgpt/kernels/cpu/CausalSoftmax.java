package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;
import static dev.jgpt.kernels.cpu.VectorMath.LN2_HI;
import static dev.jgpt.kernels.cpu.VectorMath.LN2_LO;
import static dev.jgpt.kernels.cpu.VectorMath.LOG2E;
import static dev.jgpt.kernels.cpu.VectorMath.MIN_ARG;
import static dev.jgpt.kernels.cpu.VectorMath.P0;
import static dev.jgpt.kernels.cpu.VectorMath.P1;
import static dev.jgpt.kernels.cpu.VectorMath.P2;
import static dev.jgpt.kernels.cpu.VectorMath.P3;
import static dev.jgpt.kernels.cpu.VectorMath.P4;
import static dev.jgpt.kernels.cpu.VectorMath.P5;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Rows of causal attention probabilities, in place, each: att (T) = softmax(att[0, n) * scale),
 * zero past n; and its backward pass. The attention passes run these on every score row (B * NH
 * * T rows of a few vectors each at T = 64), where a row cost more in branches than in
 * arithmetic: the masked row ops end each pass on a partial vector whose length changes from
 * row to row, a branch the CPU mispredicts about once per pass. Here, when T is a multiple of
 * the vector length, every pass runs over whole vectors up to n rounded up: the lanes past n are
 * masked out of the max, zeroed after the exp and stored as the row's zeros, so the trip counts
 * change only every L rows and no load or store is partial. Same bits as the row ops (the exp
 * steps of {@link VectorMath#expNonPositive}, the lane sum left to right, the lanes past n
 * adding +0), written out in one method (a vector passed to a call C2 declines to inline is
 * boxed; see {@link RowOps}). Measured at 1 thread, nanoGPT shape (B=12, T=64, C=128, NH=4):
 * attention forward 0.40 -> 0.32 ms at 512 bits.
 */
final class CausalSoftmax {
  private CausalSoftmax() {}

  /** Floats of scratch {@link #rows} needs for a tile of {@code count} rows: (count, L) lane sums, then (count) maxima. */
  static int scratchSize(int count) {
    return count * (L + 1);
  }

  /**
   * Rows r = 0 .. count of a causal block, row r at ao + r*T with n = n0 + r scores, each
   * softmax(att[0, n) * scale), zero past n (up to T). sums: {@link #scratchSize}(count) floats.
   * A row alone is one chain of dependent steps (max, its lane reduction, the exp, the lane sum,
   * the divide, the scaling), more in latency than in arithmetic at T = 64; here the rows of a
   * tile go through three passes, every row's max first, then every row's exp and lane sums,
   * then every row's sum and scaling, so that each pass is a loop of short independent chains
   * the CPU overlaps (the max's lane reduction alone is a chain of about 40 cycles). Measured at
   * 1 thread, nanoGPT shape (B=12, T=64, C=128, NH=4, 512 bits, Zen 5), the whole attention
   * forward: one pass per row 0.39 ms -> two passes 0.31 (an earlier session); two passes 0.26-0.28
   * -> three passes 0.23-0.24 (alternating runs of the two builds, the unchanged backward as
   * the control).
   */
  static void rows(float[] att, int ao, int n0, int count, int T, float scale, float[] sums) {
    if (T % L != 0) {
      // rows that do not end on a vector boundary: the masked row ops
      for (int r = 0; r < count; r++) {
        RowOps.softmaxInPlace(att, ao + r * T, n0 + r, scale);
        RowOps.fill(att, ao + r * T + n0 + r, T - n0 - r, 0f);
      }
      return;
    }
    int maxima = count * L;
    for (int r = 0; r < count; r++) sums[maxima + r] = rowMax(att, ao + r * T, n0 + r);
    for (int r = 0; r < count; r++) expRow(att, ao + r * T, n0 + r, scale, sums[maxima + r], sums, r * L);
    for (int r = 0; r < count; r++) normalizeRow(att, ao + r * T, n0 + r, T, laneSum(sums, r * L));
  }

  /** The largest of the whole-vector row att[ao .. ao + n), the lanes past n left out. */
  private static float rowMax(float[] att, int ao, int n) {
    FloatVector negativeInfinity = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    FloatVector m = negativeInfinity;
    for (int i = 0; i < n; i += L) {
      m = FloatVector.fromArray(S, att, ao + i).blend(negativeInfinity, S.indexInRange(i, n).not()).max(m);
    }
    // exact in any order; a vector made after the loop is the receiver (known receiver, see Vec)
    return FloatVector.broadcast(S, Float.NEGATIVE_INFINITY).max(m).reduceLanes(VectorOperators.MAX);
  }

  /**
   * The second pass over a whole-vector row: att[ao .. ao + n rounded up to L) = exp((att - max) * scale)
   * (zero past n), and sums[so .. so+L) = the lane-wise sum of those vectors, in row order.
   */
  private static void expRow(float[] att, int ao, int n, float scale, float max, float[] sums, int so) {
    FloatVector shift = FloatVector.broadcast(S, max);
    FloatVector acc = FloatVector.zero(S);
    for (int i = 0; i < n; i += L) {
      FloatVector a = FloatVector.fromArray(S, att, ao + i).sub(shift).mul(scale);
      // e = exp(a), a <= 0 for the lanes kept: the steps of VectorMath.expNonPositive, one for one
      VectorMask<Float> low = a.compare(VectorOperators.LT, MIN_ARG);
      FloatVector clamped = a.blend(MIN_ARG, low); // = a.max(MIN_ARG), bit for bit (see VectorMath)
      IntVector k = (IntVector) clamped.mul(LOG2E).sub(0.5f).convertShape(VectorOperators.F2I, Vec.INTS, 0);
      FloatVector kf = (FloatVector) k.convertShape(VectorOperators.I2F, Vec.S, 0);
      FloatVector r = clamped.sub(kf.mul(LN2_HI)).sub(kf.mul(LN2_LO));
      FloatVector p = r.mul(P5).add(P4);
      p = p.fma(r, FloatVector.broadcast(S, P3));
      p = p.fma(r, FloatVector.broadcast(S, P2));
      p = p.fma(r, FloatVector.broadcast(S, P1));
      p = p.fma(r, FloatVector.broadcast(S, P0));
      p = p.fma(r.mul(r), r).add(1f);
      FloatVector twoToK = k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
      VectorMask<Float> dropped = low.or(S.indexInRange(i, n).not());
      FloatVector e = p.mul(twoToK).blend(0f, dropped);
      e.intoArray(att, ao + i);
      acc = e.add(acc);
    }
    FloatVector.broadcast(S, -0f).add(acc).intoArray(sums, so); // -0 + x = x, in a receiver of known type
  }

  /**
   * The lanes sums[so .. so+L) added left to right, as RowOps.expShiftedSum adds its vector's
   * lanes (read back from memory: a vector handed to a call could be boxed). The lanes past a
   * row's n hold +0, so every row gets the bits of the masked row ops.
   */
  private static float laneSum(float[] sums, int so) {
    float sum = sums[so];
    for (int j = 1; j < L; j++) sum += sums[so + j];
    return sum;
  }

  // the second pass: att[ao .. ao+n) *= 1/sum, att[ao+n .. ao+T) = 0
  private static void normalizeRow(float[] att, int ao, int n, int T, float sum) {
    FloatVector inverse = FloatVector.broadcast(S, 1f / sum);
    int i = 0;
    for (; i < n; i += L) FloatVector.fromArray(S, att, ao + i).mul(inverse).intoArray(att, ao + i);
    if (i < T) java.util.Arrays.fill(att, ao + i, ao + T, 0f);
  }

  /**
   * The backward pass of {@link #rows}, dpre in place over datt, rows r = 0 .. count at ao + r*T
   * (att) and d + r*T (dpre) with n = n0 + r: dpre[0, n) = att * (datt - sum(att * datt)) *
   * scale, zero past n (up to T), the same bits as a scalar loop over n. dots (count) scratch.
   * As in the forward pass, every row's dot product first (a chain of dependent adds each),
   * then every row's update, so the rows' chains overlap.
   */
  static void backwardRows(float[] att, int ao, float[] dpre, int d, int n0, int count, int T, float scale,
      float[] dots) {
    for (int r = 0; r < count; r++) dots[r] = Dot.dot(att, ao + r * T, dpre, d + r * T, n0 + r);
    for (int r = 0; r < count; r++) backwardRow(att, ao + r * T, dpre, d + r * T, n0 + r, T, scale, dots[r]);
  }

  // one row's update of backwardRows, given its attDotDatt = att . datt over [0, n)
  private static void backwardRow(float[] att, int ao, float[] dpre, int d, int n, int T, float scale,
      float attDotDatt) {
    if (T % L != 0) {
      for (int i = 0; i < n; i++) dpre[d + i] = att[ao + i] * (dpre[d + i] - attDotDatt) * scale;
      RowOps.fill(dpre, d + n, T - n, 0f);
      return;
    }
    FloatVector s = FloatVector.broadcast(S, attDotDatt);
    int i = 0;
    for (; i < n; i += L) {
      FloatVector.fromArray(S, att, ao + i).mul(FloatVector.fromArray(S, dpre, d + i).sub(s)).mul(scale)
          .blend(0f, S.indexInRange(i, n).not()).intoArray(dpre, d + i);
    }
    if (i < T) java.util.Arrays.fill(dpre, d + i, d + T, 0f);
  }
}
