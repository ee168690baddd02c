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
 * Vectorised loops over one row: max, exp-and-sum, scale, fill. Shared by softmax, loss and
 * attention.
 *
 * <p>Built so that no vector is ever boxed on the heap, which cost the training step about 2 MB
 * of garbage per step before. C2 boxes a vector whenever it is passed to a call that C2 did not
 * inline, and C2 declines to inline our own helpers at call sites the profile saw rarely (a
 * row tail, a path that earlier row lengths never took), in methods that already have many
 * nodes (vector code does), or when the caller's profile was just reset by a deoptimisation;
 * the boxing then lasts for the rest of the run. So each loop is one masked pass with no
 * separate tail: every step, the last partial one too, runs the same Vector API calls, and the
 * loops call no helper of ours with a vector (the exp steps and the lane sum are written out in
 * place). Whole vectors are loaded without a mask (a masked load is slower); that choice is a
 * plain branch on a constant species, with no call for C2 to decline, and the masked store
 * stores whole vectors unmasked by itself. Masked lanes get the same arithmetic as full ones, so
 * a row's values do not depend on where the vector boundaries fall or on JIT timing.
 */
final class RowOps {
  private RowOps() {}

  // max of x (n), n >= 1
  static float max(float[] x, int xo, int n) {
    FloatVector negativeInfinity = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    FloatVector m = negativeInfinity;
    for (int i = 0; i < n; i += L) {
      VectorMask<Float> in = S.indexInRange(i, n);
      FloatVector v = i + L <= n ? FloatVector.fromArray(S, x, xo + i)
          : FloatVector.fromArray(S, x, xo + i, in).blend(negativeInfinity, in.not());
      m = v.max(m); // the fresh vector is the receiver (known receiver, see Vec)
    }
    // made after the loop: a known receiver even in a compilation entered mid-loop (see Vec)
    return FloatVector.broadcast(S, Float.NEGATIVE_INFINITY).max(m).reduceLanes(VectorOperators.MAX);
  }

  /*
   * out (n) = exp((x (n) - shift) * scale); returns the sum. out may be x. shift finite, scale > 0.
   * The sum alone is expShiftedSumOnly below, the same loop without the store: one loop with an
   * "if (out != null)" store, once C2 had compiled it for one case and then met the other, was
   * compiled again into code that boxed every vector (80 bytes each, with or without type
   * profiles), as was softmaxInPlace, which inlines it. Change both loops together;
   * RowOpsTailTest pins them to VectorMath.
   */
  static float expShiftedSum(float[] x, int xo, float shift, float scale, float[] out, int oo, int n) {
    FloatVector s = FloatVector.broadcast(S, shift);
    FloatVector negativeInfinity = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    FloatVector acc = FloatVector.zero(S);
    for (int i = 0; i < n; i += L) {
      VectorMask<Float> in = S.indexInRange(i, n);
      // lanes past n: -inf, whose exp below is 0, so they add nothing to acc (+0 or more, never -0)
      FloatVector v = i + L <= n ? FloatVector.fromArray(S, x, xo + i)
          : FloatVector.fromArray(S, x, xo + i, in).blend(negativeInfinity, in.not());
      FloatVector a = v.sub(s).mul(scale);
      // e = exp(a), a <= 0: the steps of VectorMath.expNonPositive, one for one
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
      FloatVector e = p.mul(twoToK).blend(0f, low);
      e.intoArray(out, oo + i, in);
      acc = e.add(acc); // the fresh vector is the receiver (known receiver, see Vec)
    }
    acc = FloatVector.broadcast(S, -0f).add(acc); // the same lanes (-0 + x = x), a known receiver (see Vec)
    // Vec.sumLanes written out for 8 and 16 lanes: by here C2 has spent its node budget for
    // inlining (NodeCountInliningCutoff), so a call would stay a call and box acc
    if (L == 8) return acc.lane(0) + acc.lane(1) + acc.lane(2) + acc.lane(3) + acc.lane(4) + acc.lane(5) + acc.lane(6)
        + acc.lane(7);
    if (L == 16) {
      return acc.lane(0) + acc.lane(1) + acc.lane(2) + acc.lane(3) + acc.lane(4) + acc.lane(5) + acc.lane(6)
          + acc.lane(7) + acc.lane(8) + acc.lane(9) + acc.lane(10) + acc.lane(11) + acc.lane(12) + acc.lane(13)
          + acc.lane(14) + acc.lane(15);
    }
    return Vec.sumLanes(acc);
  }

  // sum of exp((x (n) - shift) * scale), nothing stored: expShiftedSum's loop without its store
  static float expShiftedSumOnly(float[] x, int xo, float shift, float scale, int n) {
    FloatVector s = FloatVector.broadcast(S, shift);
    FloatVector negativeInfinity = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    FloatVector acc = FloatVector.zero(S);
    for (int i = 0; i < n; i += L) {
      VectorMask<Float> in = S.indexInRange(i, n);
      // lanes past n: -inf, whose exp below is 0, so they add nothing to acc (+0 or more, never -0)
      FloatVector v = i + L <= n ? FloatVector.fromArray(S, x, xo + i)
          : FloatVector.fromArray(S, x, xo + i, in).blend(negativeInfinity, in.not());
      FloatVector a = v.sub(s).mul(scale);
      // e = exp(a), a <= 0: the steps of VectorMath.expNonPositive, one for one
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
      FloatVector e = p.mul(twoToK).blend(0f, low);
      acc = e.add(acc); // the fresh vector is the receiver (known receiver, see Vec)
    }
    acc = FloatVector.broadcast(S, -0f).add(acc); // the same lanes (-0 + x = x), a known receiver (see Vec)
    // Vec.sumLanes written out for 8 and 16 lanes: by here C2 has spent its node budget for
    // inlining (NodeCountInliningCutoff), so a call would stay a call and box acc
    if (L == 8) return acc.lane(0) + acc.lane(1) + acc.lane(2) + acc.lane(3) + acc.lane(4) + acc.lane(5) + acc.lane(6)
        + acc.lane(7);
    if (L == 16) {
      return acc.lane(0) + acc.lane(1) + acc.lane(2) + acc.lane(3) + acc.lane(4) + acc.lane(5) + acc.lane(6)
          + acc.lane(7) + acc.lane(8) + acc.lane(9) + acc.lane(10) + acc.lane(11) + acc.lane(12) + acc.lane(13)
          + acc.lane(14) + acc.lane(15);
    }
    return Vec.sumLanes(acc);
  }

  // out (n) = exp(x (n) - shift); returns the sum of out. out may be x.
  static float expShiftedSum(float[] x, int xo, float shift, float[] out, int oo, int n) {
    return expShiftedSum(x, xo, shift, 1f, out, oo, n);
  }

  // sum of exp(x (n) - shift), nothing stored
  static float expShiftedSum(float[] x, int xo, float shift, int n) {
    return expShiftedSumOnly(x, xo, shift, 1f, n);
  }

  // x (n) *= a
  static void scale(float[] x, int xo, float a, int n) {
    FloatVector va = FloatVector.broadcast(S, a);
    for (int i = 0; i < n; i += L) {
      VectorMask<Float> in = S.indexInRange(i, n);
      FloatVector v = i + L <= n ? FloatVector.fromArray(S, x, xo + i) : FloatVector.fromArray(S, x, xo + i, in);
      v.mul(va).intoArray(x, xo + i, in);
    }
  }

  // x (n) = value
  static void fill(float[] x, int xo, int n, float value) {
    java.util.Arrays.fill(x, xo, xo + n, value);
  }

  // sum of x (n); the scalar tail has no vector in it, so it cannot box one
  static float sum(float[] x, int xo, int n) {
    FloatVector acc = FloatVector.zero(S);
    int i = 0;
    for (; i + L <= n; i += L) acc = FloatVector.fromArray(S, x, xo + i).add(acc);
    float s = Vec.sumLanes(FloatVector.broadcast(S, -0f).add(acc));
    for (; i < n; i++) s += x[xo + i];
    return s;
  }

  // x (n) = softmax(x * scale) in place (scale > 0): max-shifted exp, then divide by the sum
  static void softmaxInPlace(float[] x, int xo, int n, float scale) {
    float max = max(x, xo, n);
    float sum = expShiftedSum(x, xo, max, scale, x, xo, n);
    scale(x, xo, 1f / sum, n);
  }
}
