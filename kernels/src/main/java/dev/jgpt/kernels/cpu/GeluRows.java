package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_CLAMP;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_P1;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_P2;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_P3;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_P4;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_P5;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_P6;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_Q1;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_Q2;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_Q3;

import dev.jgpt.kernels.ReferenceKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GELU and its gradient over a run of floats, for the element-wise ops ({@link CpuPointwise})
 * and the fused matmul epilogues ({@link GemmEpilogue}); in training, GELU with its slope kept for
 * the backward pass. The vector loops call no helper with a vector: the steps of {@link
 * CpuPointwise#geluOf(FloatVector)} / {@link CpuPointwise#geluGradient(FloatVector)} and {@link
 * VectorMath#tanh(FloatVector)} are written out in place, one for one, so each lane gets their
 * bits (GeluRowsTest pins it). Those helpers, each compiled on its own by C2 once the
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
   * d (n) = slope (n) * d (n), with slope from {@link #forwardKeepingSlope}: the bits {@link
   * #gradient} gives for d and the slope's x.
   */
  static void multiplyBySlope(float[] slope, int so, float[] d, int dOff, int n) {
    int i = 0;
    for (; i + L <= n; i += L) {
      FloatVector.fromArray(S, slope, so + i).mul(FloatVector.fromArray(S, d, dOff + i)).intoArray(d, dOff + i);
    }
    for (; i < n; i++) d[dOff + i] = slope[so + i] * d[dOff + i];
  }

  /**
   * One loop for both: the tanh steps are the long part, and one copy of them is enough. The
   * flag is the same for a whole call (C2 unswitches the loop on it). Two vectors a turn, their
   * steps interleaved: one vector's GELU is a long chain of dependent steps, and the core
   * overlapped too little of one vector's chain with the next one's (measured on Zen 5, 1 thread,
   * with the exp form of tanh: 0.64 ns per float forward, 0.75 for the gradient, as one chain a
   * turn; 0.47 and 0.65 as two; with the rational tanh, two chains: 0.30 and 0.48).
   */
  private static void run(boolean gradient, float[] x, int xo, float[] d, int dOff, float[] out, int oo, int n) {
    int i = 0;
    for (; i + 2 * L <= n; i += 2 * L) {
      FloatVector v0 = FloatVector.fromArray(S, x, xo + i), v1 = FloatVector.fromArray(S, x, xo + i + L);
      // u = sqrt(2/pi) (x + 0.044715 x^3), as CpuPointwise.tanhArgument
      FloatVector u0 = v0.mul(v0).mul(v0).mul(ReferenceKernels.GELU_CUBIC).add(v0).mul(ReferenceKernels.GELU_SCALE);
      FloatVector u1 = v1.mul(v1).mul(v1).mul(ReferenceKernels.GELU_CUBIC).add(v1).mul(ReferenceKernels.GELU_SCALE);
      // th = tanh(u), as VectorMath.tanh: c = min(|u|, clamp), sign(u) min(1, c P(c^2) / Q(c^2))
      FloatVector a0 = u0.abs(), a1 = u1.abs();
      FloatVector c0 = a0.blend(TANH_CLAMP, a0.compare(VectorOperators.GT, TANH_CLAMP));
      FloatVector c1 = a1.blend(TANH_CLAMP, a1.compare(VectorOperators.GT, TANH_CLAMP));
      FloatVector s0 = c0.mul(c0), s1 = c1.mul(c1);
      FloatVector p0 = s0.mul(TANH_P6).add(TANH_P5), p1 = s1.mul(TANH_P6).add(TANH_P5);
      p0 = p0.fma(s0, FloatVector.broadcast(S, TANH_P4));
      p1 = p1.fma(s1, FloatVector.broadcast(S, TANH_P4));
      p0 = p0.fma(s0, FloatVector.broadcast(S, TANH_P3));
      p1 = p1.fma(s1, FloatVector.broadcast(S, TANH_P3));
      p0 = p0.fma(s0, FloatVector.broadcast(S, TANH_P2));
      p1 = p1.fma(s1, FloatVector.broadcast(S, TANH_P2));
      p0 = p0.fma(s0, FloatVector.broadcast(S, TANH_P1));
      p1 = p1.fma(s1, FloatVector.broadcast(S, TANH_P1));
      p0 = p0.fma(s0, FloatVector.broadcast(S, 1f));
      p1 = p1.fma(s1, FloatVector.broadcast(S, 1f));
      FloatVector q0 = s0.mul(TANH_Q3).add(TANH_Q2), q1 = s1.mul(TANH_Q3).add(TANH_Q2);
      q0 = q0.fma(s0, FloatVector.broadcast(S, TANH_Q1));
      q1 = q1.fma(s1, FloatVector.broadcast(S, TANH_Q1));
      q0 = q0.fma(s0, FloatVector.broadcast(S, 1f));
      q1 = q1.fma(s1, FloatVector.broadcast(S, 1f));
      FloatVector t0 = c0.mul(p0).div(q0), t1 = c1.mul(p1).div(q1);
      t0 = t0.blend(1f, t0.compare(VectorOperators.GT, 1f));
      t1 = t1.blend(1f, t1.compare(VectorOperators.GT, 1f));
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
      FloatVector a = u.abs();
      FloatVector c = a.blend(TANH_CLAMP, a.compare(VectorOperators.GT, TANH_CLAMP));
      FloatVector sq = c.mul(c);
      FloatVector p = sq.mul(TANH_P6).add(TANH_P5);
      p = p.fma(sq, FloatVector.broadcast(S, TANH_P4));
      p = p.fma(sq, FloatVector.broadcast(S, TANH_P3));
      p = p.fma(sq, FloatVector.broadcast(S, TANH_P2));
      p = p.fma(sq, FloatVector.broadcast(S, TANH_P1));
      p = p.fma(sq, FloatVector.broadcast(S, 1f));
      FloatVector q = sq.mul(TANH_Q3).add(TANH_Q2);
      q = q.fma(sq, FloatVector.broadcast(S, TANH_Q1));
      q = q.fma(sq, FloatVector.broadcast(S, 1f));
      FloatVector t = c.mul(p).div(q);
      t = t.blend(1f, t.compare(VectorOperators.GT, 1f));
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

  /**
   * out (n) = GELU(x (n)), and x (n) = GELU'(x) in place: GELU's slope, the factor its backward
   * multiplies the output's gradient by ({@link #multiplyBySlope}), in the bits {@link #gradient}
   * computes it with. A training step keeps the slope instead of x, so that the backward pass does
   * not evaluate tanh a second time. out must not overlap x. The steps of {@link #run} once more,
   * in a method of their own: as a third mode of run they made that method too large for C2 to
   * inline every vector operation into (boxed vectors, 150-200 KB a training step and a decode
   * step, which ran only the other modes).
   */
  static void forwardKeepingSlope(float[] x, int xo, float[] out, int oo, int n) {
    int i = 0;
    for (; i + 2 * L <= n; i += 2 * L) {
      FloatVector v0 = FloatVector.fromArray(S, x, xo + i), v1 = FloatVector.fromArray(S, x, xo + i + L);
      FloatVector u0 = v0.mul(v0).mul(v0).mul(ReferenceKernels.GELU_CUBIC).add(v0).mul(ReferenceKernels.GELU_SCALE);
      FloatVector u1 = v1.mul(v1).mul(v1).mul(ReferenceKernels.GELU_CUBIC).add(v1).mul(ReferenceKernels.GELU_SCALE);
      FloatVector a0 = u0.abs(), a1 = u1.abs();
      FloatVector c0 = a0.blend(TANH_CLAMP, a0.compare(VectorOperators.GT, TANH_CLAMP));
      FloatVector c1 = a1.blend(TANH_CLAMP, a1.compare(VectorOperators.GT, TANH_CLAMP));
      FloatVector s0 = c0.mul(c0), s1 = c1.mul(c1);
      FloatVector p0 = s0.mul(TANH_P6).add(TANH_P5), p1 = s1.mul(TANH_P6).add(TANH_P5);
      p0 = p0.fma(s0, FloatVector.broadcast(S, TANH_P4));
      p1 = p1.fma(s1, FloatVector.broadcast(S, TANH_P4));
      p0 = p0.fma(s0, FloatVector.broadcast(S, TANH_P3));
      p1 = p1.fma(s1, FloatVector.broadcast(S, TANH_P3));
      p0 = p0.fma(s0, FloatVector.broadcast(S, TANH_P2));
      p1 = p1.fma(s1, FloatVector.broadcast(S, TANH_P2));
      p0 = p0.fma(s0, FloatVector.broadcast(S, TANH_P1));
      p1 = p1.fma(s1, FloatVector.broadcast(S, TANH_P1));
      p0 = p0.fma(s0, FloatVector.broadcast(S, 1f));
      p1 = p1.fma(s1, FloatVector.broadcast(S, 1f));
      FloatVector q0 = s0.mul(TANH_Q3).add(TANH_Q2), q1 = s1.mul(TANH_Q3).add(TANH_Q2);
      q0 = q0.fma(s0, FloatVector.broadcast(S, TANH_Q1));
      q1 = q1.fma(s1, FloatVector.broadcast(S, TANH_Q1));
      q0 = q0.fma(s0, FloatVector.broadcast(S, 1f));
      q1 = q1.fma(s1, FloatVector.broadcast(S, 1f));
      FloatVector t0 = c0.mul(p0).div(q0), t1 = c1.mul(p1).div(q1);
      t0 = t0.blend(1f, t0.compare(VectorOperators.GT, 1f));
      t1 = t1.blend(1f, t1.compare(VectorOperators.GT, 1f));
      FloatVector th0 = t0.blend(t0.neg(), u0.compare(VectorOperators.LT, 0f));
      FloatVector th1 = t1.blend(t1.neg(), u1.compare(VectorOperators.LT, 0f));
      v0.mul(0.5f).mul(th0.add(1f)).intoArray(out, oo + i);
      v1.mul(0.5f).mul(th1.add(1f)).intoArray(out, oo + i + L);
      FloatVector sech0 = th0.mul(th0).neg().add(1f), sech1 = th1.mul(th1).neg().add(1f);
      FloatVector inner0 = v0.mul(v0).mul(3f * ReferenceKernels.GELU_CUBIC).add(1f).mul(ReferenceKernels.GELU_SCALE);
      FloatVector inner1 = v1.mul(v1).mul(3f * ReferenceKernels.GELU_CUBIC).add(1f).mul(ReferenceKernels.GELU_SCALE);
      th0.add(1f).mul(0.5f).add(v0.mul(0.5f).mul(sech0).mul(inner0)).intoArray(x, xo + i);
      th1.add(1f).mul(0.5f).add(v1.mul(0.5f).mul(sech1).mul(inner1)).intoArray(x, xo + i + L);
    }
    // the rest (under two vectors) by the scalar twins, which give the lanes' bits
    for (; i < n; i++) {
      float v = x[xo + i];
      out[oo + i] = CpuPointwise.geluOf(v);
      x[xo + i] = CpuPointwise.geluGradient(v);
    }
  }
}
