package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import jdk.incubator.vector.FloatVector;

/** Vector dot product: the inner loop of gemv and of decode attention. */
final class Dot {
  private Dot() {}

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
    float sum = Vec.sumLanes(acc0.add(acc1));
    for (; i < n; i++) sum += x[xo + i] * y[yo + i];
    return sum;
  }
}
