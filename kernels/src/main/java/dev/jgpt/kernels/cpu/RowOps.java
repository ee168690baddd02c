package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Vectorised loops over one row: max, exp-and-sum, scale, fill. Shared by softmax, loss and attention. */
final class RowOps {
  private RowOps() {}

  // max of x (n), n >= 1
  static float max(float[] x, int xo, int n) {
    int i = 0;
    float max = Float.NEGATIVE_INFINITY;
    if (n >= L) {
      FloatVector m = FloatVector.fromArray(S, x, xo);
      for (i = L; i + L <= n; i += L) m = m.max(FloatVector.fromArray(S, x, xo + i));
      max = m.reduceLanes(VectorOperators.MAX);
    }
    for (; i < n; i++) max = Math.max(max, x[xo + i]);
    return max;
  }

  // out (n) = exp(x (n) - shift); returns the sum of out. out may be x.
  static float expShiftedSum(float[] x, int xo, float shift, float[] out, int oo, int n) {
    FloatVector s = FloatVector.broadcast(S, shift);
    FloatVector acc = FloatVector.zero(S);
    int i = 0;
    for (; i + L <= n; i += L) {
      FloatVector e = FloatVector.fromArray(S, x, xo + i).sub(s).lanewise(VectorOperators.EXP);
      e.intoArray(out, oo + i);
      acc = acc.add(e);
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float e = (float) Math.exp(x[xo + i] - shift);
      out[oo + i] = e;
      sum += e;
    }
    return sum;
  }

  // sum of exp(x (n) - shift), nothing stored
  static float expShiftedSum(float[] x, int xo, float shift, int n) {
    FloatVector s = FloatVector.broadcast(S, shift);
    FloatVector acc = FloatVector.zero(S);
    int i = 0;
    for (; i + L <= n; i += L) {
      acc = acc.add(FloatVector.fromArray(S, x, xo + i).sub(s).lanewise(VectorOperators.EXP));
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) sum += (float) Math.exp(x[xo + i] - shift);
    return sum;
  }

  // x (n) *= a
  static void scale(float[] x, int xo, float a, int n) {
    FloatVector va = FloatVector.broadcast(S, a);
    int i = 0;
    for (; i + L <= n; i += L) FloatVector.fromArray(S, x, xo + i).mul(va).intoArray(x, xo + i);
    for (; i < n; i++) x[xo + i] *= a;
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
    float s = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) s += x[xo + i];
    return s;
  }

  // x (n) = softmax(x) in place: max-shifted exp, then divide by the sum
  static void softmaxInPlace(float[] x, int xo, int n) {
    float max = max(x, xo, n);
    float sum = expShiftedSum(x, xo, max, x, xo, n);
    scale(x, xo, 1f / sum, n);
  }
}
