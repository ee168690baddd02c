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
 * One row of causal attention probabilities, in place: att (T) = softmax(att[0, n) * scale),
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

  // att[ao .. ao+n) = softmax(att[ao .. ao+n) * scale), att[ao+n .. ao+T) = 0; 1 <= n <= T
  static void row(float[] att, int ao, int n, int T, float scale) {
    if (T % L != 0) {
      // rows that do not end on a vector boundary: the masked row ops
      RowOps.softmaxInPlace(att, ao, n, scale);
      RowOps.fill(att, ao + n, T - n, 0f);
      return;
    }
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
    // The lanes summed left to right, as RowOps.expShiftedSum does (written out: a call could box
    // acc). The lanes past n hold +0, so every row gets the bits of the masked row ops.
    float sum;
    if (L == 16) {
      sum = acc.lane(0) + acc.lane(1) + acc.lane(2) + acc.lane(3) + acc.lane(4) + acc.lane(5) + acc.lane(6)
          + acc.lane(7) + acc.lane(8) + acc.lane(9) + acc.lane(10) + acc.lane(11) + acc.lane(12) + acc.lane(13)
          + acc.lane(14) + acc.lane(15);
    } else if (L == 8) {
      sum = acc.lane(0) + acc.lane(1) + acc.lane(2) + acc.lane(3) + acc.lane(4) + acc.lane(5) + acc.lane(6)
          + acc.lane(7);
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
   * dpre[0, n) = att * (datt - sum(att * datt)) * scale, zero past n (up to T): the same
   * whole-vector pass, the same bits as a scalar loop over n.
   */
  static void backwardRow(float[] att, int ao, float[] dpre, int d, int n, int T, float scale) {
    if (T % L != 0) {
      float attDotDatt = Dot.dot(att, ao, dpre, d, n);
      for (int i = 0; i < n; i++) dpre[d + i] = att[ao + i] * (dpre[d + i] - attDotDatt) * scale;
      RowOps.fill(dpre, d + n, T - n, 0f);
      return;
    }
    float attDotDatt = Dot.dot(att, ao, dpre, d, n);
    FloatVector s = FloatVector.broadcast(S, attDotDatt);
    int i = 0;
    for (; i < n; i += L) {
      FloatVector.fromArray(S, att, ao + i).mul(FloatVector.fromArray(S, dpre, d + i).sub(s)).mul(scale)
          .blend(0f, S.indexInRange(i, n).not()).intoArray(dpre, d + i);
    }
    if (i < T) java.util.Arrays.fill(dpre, d + i, d + T, 0f);
  }
}
