package dev.jgpt.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * exp and tanh from plain vector arithmetic (add, mul, fma, conversions). The Vector API's own
 * EXP and TANH call a native library once C2 compiles the caller but per-lane Math calls
 * before, and differ by an ulp between the two: results would then depend on JIT timing (and
 * on the CPU's SVML flavour). These give the same bits in every execution mode, on every x86
 * or ARM CPU, and so keep the CPU backend bit-reproducible across runs and thread counts.
 */
final class VectorMath {
  private VectorMath() {}

  private static final float LOG2E = 1.44269504088896341f;
  /** ln 2 split in two so that n * LN2_HI is exact for the n that occur. */
  private static final float LN2_HI = 0.693359375f;
  private static final float LN2_LO = -2.12194440e-4f;
  /** Below this exp underflows a float: the result is 0. */
  private static final float MIN_ARG = -87.3f;

  /**
   * exp(x) for x <= 0 (softmax arguments after the max shift): 2^n * p(r), n = round(x log2 e),
   * r = x - n ln 2 in [-ln2/2, ln2/2], p Cephes' expf polynomial; relative error about 2e-7.
   */
  static FloatVector expNonPositive(FloatVector x) {
    FloatVector clamped = x.max(MIN_ARG);
    // Truncating t - 0.5 rounds t = x log2 e to the nearest integer for t <= 0.
    IntVector n = (IntVector) clamped.mul(LOG2E).sub(0.5f).convert(VectorOperators.F2I, 0);
    FloatVector nf = (FloatVector) n.convert(VectorOperators.I2F, 0);
    FloatVector r = clamped.sub(nf.mul(LN2_HI)).sub(nf.mul(LN2_LO));
    FloatVector p = r.mul(1.9875691500e-4f).add(1.3981999507e-3f);
    p = p.fma(r, FloatVector.broadcast(Vec.S, 8.3334519073e-3f));
    p = p.fma(r, FloatVector.broadcast(Vec.S, 4.1665795894e-2f));
    p = p.fma(r, FloatVector.broadcast(Vec.S, 1.6666665459e-1f));
    p = p.fma(r, FloatVector.broadcast(Vec.S, 5.0000001201e-1f));
    p = p.fma(r.mul(r), r).add(1f);
    FloatVector twoToN = n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    return p.mul(twoToN).blend(0f, x.compare(VectorOperators.LT, MIN_ARG));
  }

  /** tanh(u) = sign(u) (1 - e) / (1 + e) with e = exp(-2|u|): absolute error about 1e-7. */
  static FloatVector tanh(FloatVector u) {
    FloatVector e = expNonPositive(u.abs().mul(-2f));
    FloatVector t = e.neg().add(1f).div(e.add(1f));
    return t.blend(t.neg(), u.compare(VectorOperators.LT, 0f));
  }
}
