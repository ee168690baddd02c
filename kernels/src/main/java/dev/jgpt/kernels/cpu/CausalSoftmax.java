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
import jdk.incubator.vector.VectorShuffle;

/**
 * One row of causal attention probabilities, in place: att (T) = softmax(att[0, n) * scale),
 * zero past n. The attention forward pass runs it on every score row (B * NH * T rows of a few
 * vectors each at T = 64), where a row's cost was its chain of dependent steps rather than its
 * arithmetic: max, exp and sum, 1/sum, scale, in three calls, with the exp sum's lanes added one
 * by one (15 dependent adds). Here it is one method, and the lanes are summed by a fixed tree of
 * lane swaps (log2 L swap-and-add steps), the same order in every JIT tier and thread count.
 * The exp steps are those of {@link VectorMath#expNonPositive}, written out (a vector passed to
 * a call C2 declines to inline is boxed; see {@link RowOps}).
 */
final class CausalSoftmax {
  private CausalSoftmax() {}

  /** Step s of the lane tree adds lane i ^ s to lane i (8 and 16 lanes; other widths sum in order). */
  private static final VectorShuffle<Float> SWAP1 = swap(1), SWAP2 = swap(2), SWAP4 = swap(4), SWAP8 = swap(8);

  private static VectorShuffle<Float> swap(int s) {
    return s < L ? VectorShuffle.fromOp(S, i -> i ^ s) : null;
  }

  // att[ao .. ao+n) = softmax(att[ao .. ao+n) * scale), att[ao+n .. ao+T) = 0; 1 <= n <= T
  static void row(float[] att, int ao, int n, int T, float scale) {
    if (T % L != 0) {
      // rows that do not end on a vector boundary: the masked row ops
      RowOps.softmaxInPlace(att, ao, n, scale);
      RowOps.fill(att, ao + n, T - n, 0f);
      return;
    }
    // Every pass runs over whole vectors up to n rounded up (within T, a multiple of L): the lanes
    // past n are masked out of the max, zeroed after the exp and stored as the row's zeros. The
    // loops' trip counts then change only every L rows and no load or store is partial, so the
    // branches are predicted; a partial last vector per row (a branch that flips from row to
    // row) cost more than the arithmetic. No vector is passed to a call (see RowOps).
    FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    for (int i = 0; i < n; i += L) {
      m = m.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, att, ao + i), S.indexInRange(i, n));
    }
    FloatVector shift = FloatVector.broadcast(S, m.reduceLanes(VectorOperators.MAX)); // exact in any order
    FloatVector acc = FloatVector.zero(S);
    for (int i = 0; i < n; i += L) {
      FloatVector a = FloatVector.fromArray(S, att, ao + i).sub(shift).mul(scale);
      // e = exp(a), a <= 0 for the lanes kept: the steps of VectorMath.expNonPositive, one for one
      FloatVector clamped = a.max(MIN_ARG);
      IntVector k = (IntVector) clamped.mul(LOG2E).sub(0.5f).convert(VectorOperators.F2I, 0);
      FloatVector kf = (FloatVector) k.convert(VectorOperators.I2F, 0);
      FloatVector r = clamped.sub(kf.mul(LN2_HI)).sub(kf.mul(LN2_LO));
      FloatVector p = r.mul(P5).add(P4);
      p = p.fma(r, FloatVector.broadcast(S, P3));
      p = p.fma(r, FloatVector.broadcast(S, P2));
      p = p.fma(r, FloatVector.broadcast(S, P1));
      p = p.fma(r, FloatVector.broadcast(S, P0));
      p = p.fma(r.mul(r), r).add(1f);
      FloatVector twoToK = k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
      VectorMask<Float> dropped = a.compare(VectorOperators.LT, MIN_ARG).or(S.indexInRange(i, n).not());
      FloatVector e = p.mul(twoToK).blend(0f, dropped);
      e.intoArray(att, ao + i);
      acc = acc.add(e);
    }
    float sum;
    if (L == 16) {
      acc = acc.add(acc.rearrange(SWAP8));
      acc = acc.add(acc.rearrange(SWAP4));
      acc = acc.add(acc.rearrange(SWAP2));
      sum = acc.add(acc.rearrange(SWAP1)).lane(0);
    } else if (L == 8) {
      acc = acc.add(acc.rearrange(SWAP4));
      acc = acc.add(acc.rearrange(SWAP2));
      sum = acc.add(acc.rearrange(SWAP1)).lane(0);
    } else {
      sum = Vec.sumLanes(acc);
    }
    FloatVector inverse = FloatVector.broadcast(S, 1f / sum);
    int i = 0;
    for (; i < n; i += L) FloatVector.fromArray(S, att, ao + i).mul(inverse).intoArray(att, ao + i);
    if (i < T) java.util.Arrays.fill(att, ao + i, ao + T, 0f);
  }

  /**
   * The backward pass of {@link #row} for one row, dpre in place over datt:
   * dpre[0, n) = att * (datt - sum(att * datt)) * scale, zero past n (up to T). The same whole-vector
   * passes as the forward row: att is zero past n, so the lanes past n add nothing to the sum
   * and are zeroed. T not a multiple of L: the plain loops of {@link CpuAttention}.
   */
  static void backwardRow(float[] att, int ao, float[] dpre, int d, int n, int T, float scale) {
    if (T % L != 0) {
      float attDotDatt = Dot.dot(att, ao, dpre, d, n);
      for (int i = 0; i < n; i++) dpre[d + i] = att[ao + i] * (dpre[d + i] - attDotDatt) * scale;
      RowOps.fill(dpre, d + n, T - n, 0f);
      return;
    }
    FloatVector acc = FloatVector.zero(S);
    for (int i = 0; i < n; i += L) {
      acc = FloatVector.fromArray(S, att, ao + i).fma(FloatVector.fromArray(S, dpre, d + i), acc);
    }
    float attDotDatt;
    if (L == 16) {
      acc = acc.add(acc.rearrange(SWAP8));
      acc = acc.add(acc.rearrange(SWAP4));
      acc = acc.add(acc.rearrange(SWAP2));
      attDotDatt = acc.add(acc.rearrange(SWAP1)).lane(0);
    } else if (L == 8) {
      acc = acc.add(acc.rearrange(SWAP4));
      acc = acc.add(acc.rearrange(SWAP2));
      attDotDatt = acc.add(acc.rearrange(SWAP1)).lane(0);
    } else {
      attDotDatt = Vec.sumLanes(acc);
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
