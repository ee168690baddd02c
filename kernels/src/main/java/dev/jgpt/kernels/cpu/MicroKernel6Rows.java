package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Gemm.NR;
import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import jdk.incubator.vector.FloatVector;

/**
 * The 6 x NR register tile of {@link MicroKernel} for 8-lane vectors with 32 registers (AVX-512
 * at 256 bits, SVE-256): 12 accumulators + 2 B vectors + 1 broadcast. On AVX2's 16 registers C2
 * spills it ({@link Gemm#MR}). Same contract and summation order per element as the 4-row tile:
 * C (6,NR) at c[ci], row stride ldc, (+)= A tile (6,kc) . B panel (kc,NR).
 */
final class MicroKernel6Rows {
  private MicroKernel6Rows() {}

  /** The 6-row tile: 12 accumulators; see {@link MicroKernel#packed}. */
  static void packed(float[] ap, int ai, float[] bp, int bi, int kc, float[] c, int ci, int ldc, boolean loadC,
      float[] bias, int biasOff) {
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    if (loadC) {
      c00 = FloatVector.fromArray(S, c, ci);
      c01 = FloatVector.fromArray(S, c, ci + L);
      c10 = FloatVector.fromArray(S, c, ci + ldc);
      c11 = FloatVector.fromArray(S, c, ci + ldc + L);
      c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
      c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
      c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
      c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
      c40 = FloatVector.fromArray(S, c, ci + 4 * ldc);
      c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
      c50 = FloatVector.fromArray(S, c, ci + 5 * ldc);
      c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
    } else {
      FloatVector b0 = bias != null ? FloatVector.fromArray(S, bias, biasOff) : FloatVector.zero(S);
      FloatVector b1 = bias != null ? FloatVector.fromArray(S, bias, biasOff + L) : FloatVector.zero(S);
      c00 = b0; c10 = b0; c20 = b0; c30 = b0; c40 = b0; c50 = b0;
      c01 = b1; c11 = b1; c21 = b1; c31 = b1; c41 = b1; c51 = b1;
    }
    for (int k = 0; k < kc; k++) {
      int a = ai + k * 6;
      int b = bi + k * NR;
      FloatVector b0 = FloatVector.fromArray(S, bp, b);
      FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
      FloatVector x = FloatVector.broadcast(S, ap[a]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(S, ap[a + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(S, ap[a + 2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(S, ap[a + 3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      x = FloatVector.broadcast(S, ap[a + 4]);
      c40 = x.fma(b0, c40);
      c41 = x.fma(b1, c41);
      x = FloatVector.broadcast(S, ap[a + 5]);
      c50 = x.fma(b0, c50);
      c51 = x.fma(b1, c51);
    }
    // the accumulators are loop-carried: stored through a known receiver, -0 + c = c (see Vec)
    FloatVector negativeZero = FloatVector.broadcast(S, -0f);
    negativeZero.add(c00).intoArray(c, ci);
    negativeZero.add(c01).intoArray(c, ci + L);
    negativeZero.add(c10).intoArray(c, ci + ldc);
    negativeZero.add(c11).intoArray(c, ci + ldc + L);
    negativeZero.add(c20).intoArray(c, ci + 2 * ldc);
    negativeZero.add(c21).intoArray(c, ci + 2 * ldc + L);
    negativeZero.add(c30).intoArray(c, ci + 3 * ldc);
    negativeZero.add(c31).intoArray(c, ci + 3 * ldc + L);
    negativeZero.add(c40).intoArray(c, ci + 4 * ldc);
    negativeZero.add(c41).intoArray(c, ci + 4 * ldc + L);
    negativeZero.add(c50).intoArray(c, ci + 5 * ldc);
    negativeZero.add(c51).intoArray(c, ci + 5 * ldc + L);
  }

  /** The 6-row tile reading A in place; see {@link MicroKernel#direct}. */
  static void direct(float[] a, int ai, int rs, int cs, float[] bp, int bi, int kc, float[] c, int ci, int ldc,
      boolean loadC) {
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    if (loadC) {
      c00 = FloatVector.fromArray(S, c, ci);
      c01 = FloatVector.fromArray(S, c, ci + L);
      c10 = FloatVector.fromArray(S, c, ci + ldc);
      c11 = FloatVector.fromArray(S, c, ci + ldc + L);
      c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
      c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
      c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
      c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
      c40 = FloatVector.fromArray(S, c, ci + 4 * ldc);
      c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
      c50 = FloatVector.fromArray(S, c, ci + 5 * ldc);
      c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
    } else {
      c00 = FloatVector.zero(S);
      c01 = c00; c10 = c00; c11 = c00; c20 = c00; c21 = c00; c30 = c00; c31 = c00; c40 = c00; c41 = c00; c50 = c00; c51 = c00;
    }
    for (int k = 0; k < kc; k++) {
      int x0 = ai + k * cs;
      int b = bi + k * NR;
      FloatVector b0 = FloatVector.fromArray(S, bp, b);
      FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
      FloatVector x = FloatVector.broadcast(S, a[x0]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(S, a[x0 + rs]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(S, a[x0 + 2 * rs]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(S, a[x0 + 3 * rs]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      x = FloatVector.broadcast(S, a[x0 + 4 * rs]);
      c40 = x.fma(b0, c40);
      c41 = x.fma(b1, c41);
      x = FloatVector.broadcast(S, a[x0 + 5 * rs]);
      c50 = x.fma(b0, c50);
      c51 = x.fma(b1, c51);
    }
    // the accumulators are loop-carried: stored through a known receiver, -0 + c = c (see Vec)
    FloatVector negativeZero = FloatVector.broadcast(S, -0f);
    negativeZero.add(c00).intoArray(c, ci);
    negativeZero.add(c01).intoArray(c, ci + L);
    negativeZero.add(c10).intoArray(c, ci + ldc);
    negativeZero.add(c11).intoArray(c, ci + ldc + L);
    negativeZero.add(c20).intoArray(c, ci + 2 * ldc);
    negativeZero.add(c21).intoArray(c, ci + 2 * ldc + L);
    negativeZero.add(c30).intoArray(c, ci + 3 * ldc);
    negativeZero.add(c31).intoArray(c, ci + 3 * ldc + L);
    negativeZero.add(c40).intoArray(c, ci + 4 * ldc);
    negativeZero.add(c41).intoArray(c, ci + 4 * ldc + L);
    negativeZero.add(c50).intoArray(c, ci + 5 * ldc);
    negativeZero.add(c51).intoArray(c, ci + 5 * ldc + L);
  }
}
