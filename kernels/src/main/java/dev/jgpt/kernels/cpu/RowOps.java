package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Vectorised loops over one row: max, exp-and-sum, scale, fill. Shared by softmax, loss and
 * attention. exp is {@link VectorMath#expNonPositive} (every argument is shifted by the row
 * max), and tails use masked vectors: the same arithmetic for every element, so a row's result
 * does not depend on where the vector boundaries fall or on JIT timing.
 */
final class RowOps {
  private RowOps() {}

  // max of x (n), n >= 1
  static float max(float[] x, int xo, int n) {
    FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    int i = 0;
    for (; i + L <= n; i += L) m = m.max(FloatVector.fromArray(S, x, xo + i));
    if (i < n) {
      VectorMask<Float> tail = S.indexInRange(i, n);
      m = m.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, x, xo + i, tail), tail);
    }
    return m.reduceLanes(VectorOperators.MAX);
  }

  // out (n) = exp((x (n) - shift) * scale); returns the sum of out. out may be x.
  static float expShiftedSum(float[] x, int xo, float shift, float scale, float[] out, int oo, int n) {
    FloatVector s = FloatVector.broadcast(S, shift);
    FloatVector acc = FloatVector.zero(S);
    int i = 0;
    for (; i + L <= n; i += L) {
      FloatVector e = VectorMath.expNonPositive(FloatVector.fromArray(S, x, xo + i).sub(s).mul(scale));
      e.intoArray(out, oo + i);
      acc = acc.add(e);
    }
    if (i < n) {
      VectorMask<Float> tail = S.indexInRange(i, n);
      FloatVector e = VectorMath.expNonPositive(FloatVector.fromArray(S, x, xo + i, tail).sub(s).mul(scale));
      e.intoArray(out, oo + i, tail);
      acc = acc.add(e, tail);
    }
    return Vec.sumLanes(acc);
  }

  // out (n) = exp(x (n) - shift); returns the sum of out. out may be x.
  static float expShiftedSum(float[] x, int xo, float shift, float[] out, int oo, int n) {
    return expShiftedSum(x, xo, shift, 1f, out, oo, n);
  }

  // sum of exp(x (n) - shift), nothing stored
  static float expShiftedSum(float[] x, int xo, float shift, int n) {
    FloatVector s = FloatVector.broadcast(S, shift);
    FloatVector acc = FloatVector.zero(S);
    int i = 0;
    for (; i + L <= n; i += L) {
      acc = acc.add(VectorMath.expNonPositive(FloatVector.fromArray(S, x, xo + i).sub(s)));
    }
    if (i < n) {
      VectorMask<Float> tail = S.indexInRange(i, n);
      acc = acc.add(VectorMath.expNonPositive(FloatVector.fromArray(S, x, xo + i, tail).sub(s)), tail);
    }
    return Vec.sumLanes(acc);
  }

  // x (n) *= a
  static void scale(float[] x, int xo, float a, int n) {
    FloatVector va = FloatVector.broadcast(S, a);
    int i = 0;
    for (; i + L <= n; i += L) FloatVector.fromArray(S, x, xo + i).mul(va).intoArray(x, xo + i);
    if (i < n) {
      VectorMask<Float> tail = S.indexInRange(i, n);
      FloatVector.fromArray(S, x, xo + i, tail).mul(va).intoArray(x, xo + i, tail);
    }
  }

  // x (n) = value
  static void fill(float[] x, int xo, int n, float value) {
    java.util.Arrays.fill(x, xo, xo + n, value);
  }

  // sum of x (n)
  static float sum(float[] x, int xo, int n) {
    FloatVector acc = FloatVector.zero(S);
    int i = 0;
    for (; i + L <= n; i += L) acc = acc.add(FloatVector.fromArray(S, x, xo + i));
    float s = Vec.sumLanes(acc);
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
