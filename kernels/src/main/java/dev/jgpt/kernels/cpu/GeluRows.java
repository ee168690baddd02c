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
   * flag is the same for a whole call (C2 unswitches the loop on it).
   */
  private static void run(boolean gradient, float[] x, int xo, float[] d, int dOff, float[] out, int oo, int n) {
    int i = 0;
    for (; i + L <= n; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, xo + i);
      // u = sqrt(2/pi) (x + 0.044715 x^3), as CpuPointwise.tanhArgument
      FloatVector u = v.mul(v).mul(v).mul(ReferenceKernels.GELU_CUBIC).add(v).mul(ReferenceKernels.GELU_SCALE);
      // e = exp(-2|u|), as VectorMath.tanh and expNonPositive
      FloatVector a = u.abs().mul(-2f);
      FloatVector clamped = a.max(MIN_ARG);
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
      FloatVector e = p.mul(twoToK).blend(0f, a.compare(VectorOperators.LT, MIN_ARG));
      // th = tanh(u) = sign(u) (1 - e) / (1 + e)
      FloatVector t = e.neg().add(1f).div(e.add(1f));
      FloatVector th = t.blend(t.neg(), u.compare(VectorOperators.LT, 0f));
      if (gradient) {
        // as CpuPointwise.geluGradient, times d
        FloatVector sech2 = th.mul(th).neg().add(1f);
        FloatVector inner = v.mul(v).mul(3f * ReferenceKernels.GELU_CUBIC).add(1f).mul(ReferenceKernels.GELU_SCALE);
        FloatVector g = th.add(1f).mul(0.5f).add(v.mul(0.5f).mul(sech2).mul(inner));
        g.mul(FloatVector.fromArray(S, d, dOff + i)).intoArray(out, oo + i);
      } else {
        v.mul(0.5f).mul(th.add(1f)).intoArray(out, oo + i); // as CpuPointwise.geluOf
      }
    }
    for (; i < n; i++) {
      out[oo + i] = gradient ? CpuPointwise.geluGradient(x[xo + i]) * d[dOff + i] : CpuPointwise.geluOf(x[xo + i]);
    }
  }
}
