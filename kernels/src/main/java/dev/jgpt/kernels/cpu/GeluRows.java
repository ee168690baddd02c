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

import dev.jgpt.kernels.ReferenceKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * GELU and its gradient over a run of floats, for the element-wise ops ({@link CpuPointwise})
 * and the fused matmul epilogues ({@link GemmEpilogue}). The vector loop calls no helper with a
 * vector: the steps of {@link CpuPointwise#geluOf(FloatVector)} / {@link
 * CpuPointwise#geluGradient(FloatVector)}, {@link VectorMath#tanh(FloatVector)} and {@link
 * VectorMath#expNonPositive(FloatVector)} are written out in place, one for one, so each lane
 * gets their bits (GeluRowsTest pins it). Those helpers, each compiled on its own by C2 once the
 * loop had run in C1 code, became "already compiled into a big method", which C2 then refused to
 * inline into the loop's own compilation: every vector crossed the call boxed. Under {@code
 * -XX:-UseTypeProfile -Xbatch} the GELU-gradient epilogue of an 8 x 512 block allocated 1.8 MB
 * per call before, 172 KB once the helpers used known receivers, nothing with this loop.
 * Receivers are known (see Vec). The scalar tail uses the scalar twins, which give the lanes' bits.
 */
final class GeluRows {
  private GeluRows() {}

  // out (n) = GELU(x (n)); out may be x
  static void forward(float[] x, int xo, float[] out, int oo, int n) {
    run(false, x, xo, null, 0, out, oo, n);
  }

  // out (n) = GELU'(pre (n)) * d (n); out may be d
  static void gradient(float[] pre, int po, float[] d, int dOff, float[] out, int oo, int n) {
    run(true, pre, po, d, dOff, out, oo, n);
  }

  /**
   * One loop for both: the tanh steps are the long part, and one copy of them is enough. The
   * flag is the same for a whole call (C2 unswitches the loop on it). Two vectors a turn, their
   * steps interleaved: one vector's GELU is a chain of about 40 dependent steps, and the core
   * overlapped too little of one vector's chain with the next one's (measured on Zen 5, 1 thread:
   * 0.64 ns per float forward, 0.75 for the gradient, as one chain a turn).
   */
  private static void run(boolean gradient, float[] x, int xo, float[] d, int dOff, float[] out, int oo, int n) {
    int i = 0;
    for (; i + 2 * L <= n; i += 2 * L) {
      FloatVector v0 = FloatVector.fromArray(S, x, xo + i), v1 = FloatVector.fromArray(S, x, xo + i + L);
      // u = sqrt(2/pi) (x + 0.044715 x^3), as CpuPointwise.tanhArgument
      FloatVector u0 = v0.mul(v0).mul(v0).mul(ReferenceKernels.GELU_CUBIC).add(v0).mul(ReferenceKernels.GELU_SCALE);
      FloatVector u1 = v1.mul(v1).mul(v1).mul(ReferenceKernels.GELU_CUBIC).add(v1).mul(ReferenceKernels.GELU_SCALE);
      // e = exp(-2|u|), as VectorMath.tanh and expNonPositive
      FloatVector a0 = u0.abs().mul(-2f), a1 = u1.abs().mul(-2f);
      VectorMask<Float> low0 = a0.compare(VectorOperators.LT, MIN_ARG), low1 = a1.compare(VectorOperators.LT, MIN_ARG);
      // = a.max(MIN_ARG), bit for bit, in two instructions instead of six (see VectorMath)
      FloatVector clamped0 = a0.blend(MIN_ARG, low0), clamped1 = a1.blend(MIN_ARG, low1);
      IntVector k0 = (IntVector) clamped0.mul(LOG2E).sub(0.5f).convertShape(VectorOperators.F2I, Vec.INTS, 0);
      IntVector k1 = (IntVector) clamped1.mul(LOG2E).sub(0.5f).convertShape(VectorOperators.F2I, Vec.INTS, 0);
      FloatVector kf0 = (FloatVector) k0.convertShape(VectorOperators.I2F, Vec.S, 0);
      FloatVector kf1 = (FloatVector) k1.convertShape(VectorOperators.I2F, Vec.S, 0);
      FloatVector r0 = clamped0.sub(kf0.mul(LN2_HI)).sub(kf0.mul(LN2_LO));
      FloatVector r1 = clamped1.sub(kf1.mul(LN2_HI)).sub(kf1.mul(LN2_LO));
      FloatVector p0 = r0.mul(P5).add(P4), p1 = r1.mul(P5).add(P4);
      p0 = p0.fma(r0, FloatVector.broadcast(S, P3));
      p1 = p1.fma(r1, FloatVector.broadcast(S, P3));
      p0 = p0.fma(r0, FloatVector.broadcast(S, P2));
      p1 = p1.fma(r1, FloatVector.broadcast(S, P2));
      p0 = p0.fma(r0, FloatVector.broadcast(S, P1));
      p1 = p1.fma(r1, FloatVector.broadcast(S, P1));
      p0 = p0.fma(r0, FloatVector.broadcast(S, P0));
      p1 = p1.fma(r1, FloatVector.broadcast(S, P0));
      p0 = p0.fma(r0.mul(r0), r0).add(1f);
      p1 = p1.fma(r1.mul(r1), r1).add(1f);
      FloatVector twoToK0 = k0.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
      FloatVector twoToK1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
      FloatVector e0 = p0.mul(twoToK0).blend(0f, low0), e1 = p1.mul(twoToK1).blend(0f, low1);
      // th = tanh(u) = sign(u) (1 - e) / (1 + e)
      FloatVector t0 = e0.neg().add(1f).div(e0.add(1f)), t1 = e1.neg().add(1f).div(e1.add(1f));
      FloatVector th0 = t0.blend(t0.neg(), u0.compare(VectorOperators.LT, 0f));
      FloatVector th1 = t1.blend(t1.neg(), u1.compare(VectorOperators.LT, 0f));
      if (gradient) {
        // as CpuPointwise.geluGradient, times d
        FloatVector sech0 = th0.mul(th0).neg().add(1f), sech1 = th1.mul(th1).neg().add(1f);
        FloatVector inner0 = v0.mul(v0).mul(3f * ReferenceKernels.GELU_CUBIC).add(1f).mul(ReferenceKernels.GELU_SCALE);
        FloatVector inner1 = v1.mul(v1).mul(3f * ReferenceKernels.GELU_CUBIC).add(1f).mul(ReferenceKernels.GELU_SCALE);
        FloatVector g0 = th0.add(1f).mul(0.5f).add(v0.mul(0.5f).mul(sech0).mul(inner0));
        FloatVector g1 = th1.add(1f).mul(0.5f).add(v1.mul(0.5f).mul(sech1).mul(inner1));
        g0.mul(FloatVector.fromArray(S, d, dOff + i)).intoArray(out, oo + i);
        g1.mul(FloatVector.fromArray(S, d, dOff + i + L)).intoArray(out, oo + i + L);
      } else {
        v0.mul(0.5f).mul(th0.add(1f)).intoArray(out, oo + i); // as CpuPointwise.geluOf
        v1.mul(0.5f).mul(th1.add(1f)).intoArray(out, oo + i + L);
      }
    }
    // a last whole vector, then the scalar tail
    if (i + L <= n) {
      FloatVector v = FloatVector.fromArray(S, x, xo + i);
      FloatVector u = v.mul(v).mul(v).mul(ReferenceKernels.GELU_CUBIC).add(v).mul(ReferenceKernels.GELU_SCALE);
      FloatVector a = u.abs().mul(-2f);
      VectorMask<Float> low = a.compare(VectorOperators.LT, MIN_ARG);
      FloatVector clamped = a.blend(MIN_ARG, low);
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
      FloatVector t = e.neg().add(1f).div(e.add(1f));
      FloatVector th = t.blend(t.neg(), u.compare(VectorOperators.LT, 0f));
      if (gradient) {
        FloatVector sech2 = th.mul(th).neg().add(1f);
        FloatVector inner = v.mul(v).mul(3f * ReferenceKernels.GELU_CUBIC).add(1f).mul(ReferenceKernels.GELU_SCALE);
        FloatVector g = th.add(1f).mul(0.5f).add(v.mul(0.5f).mul(sech2).mul(inner));
        g.mul(FloatVector.fromArray(S, d, dOff + i)).intoArray(out, oo + i);
      } else {
        v.mul(0.5f).mul(th.add(1f)).intoArray(out, oo + i);
      }
      i += L;
    }
    for (; i < n; i++) {
      out[oo + i] = gradient ? CpuPointwise.geluGradient(x[xo + i]) * d[dOff + i] : CpuPointwise.geluOf(x[xo + i]);
    }
  }
}
