package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Gemm.MR;
import static dev.jgpt.kernels.cpu.Gemm.NR;
import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import jdk.incubator.vector.FloatVector;

/**
 * The MR x NR register-tile micro-kernels of {@link Gemm}: packed A, A read in place, ragged
 * edges. The 4-row tile lives here; the 6- and 8-row tiles that 8- and 16-lane vectors use
 * ({@link Gemm#MR}) in {@link MicroKernel6Rows} and {@link MicroKernel8Rows}, one call away (MR is
 * a constant, so C2 keeps only the branch taken).
 */
final class MicroKernel {
  private MicroKernel() {}

  /**
   * The micro-kernel reading A in place, A(i,k) = a[ai + i*rs + k*cs] (rs or cs is 1): about
   * 70% of the packed kernel's speed (index arithmetic and bounds checks per broadcast), used
   * where A is touched too few times to repay packing.
   */
  static void direct(float[] a, int ai, int rs, int cs, float[] bp, int bi, int kc, float[] c, int ci,
      int ldc, boolean loadC) {
    if (MR == 6) {
      MicroKernel6Rows.direct(a, ai, rs, cs, bp, bi, kc, c, ci, ldc, loadC);
      return;
    }
    if (MR == 8) {
      MicroKernel8Rows.direct(a, ai, rs, cs, bp, bi, kc, c, ci, ldc, loadC);
      return;
    }
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
    if (loadC) {
      c00 = FloatVector.fromArray(S, c, ci);
      c01 = FloatVector.fromArray(S, c, ci + L);
      c10 = FloatVector.fromArray(S, c, ci + ldc);
      c11 = FloatVector.fromArray(S, c, ci + ldc + L);
      c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
      c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
      c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
      c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
    } else {
      c00 = FloatVector.zero(S);
      c01 = c00; c10 = c00; c11 = c00; c20 = c00; c21 = c00; c30 = c00; c31 = c00;
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
  }

  /** A ragged tile (fewer than MR rows or NR columns): run the full kernel on a scratch tile. */
  static void edge(float[] ap, int ai, float[] bp, int bi, int kc, float[] c, int ci, int ldc, int rows,
      int cols, boolean loadC, float[] bias, int biasOff, float[] tile) {
    java.util.Arrays.fill(tile, 0f);
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < cols; j++) {
        tile[r * NR + j] = loadC ? c[ci + r * ldc + j] : bias != null ? bias[biasOff + j] : 0f;
      }
    }
    packed(ap, ai, bp, bi, kc, tile, 0, NR, true, null, 0);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(tile, r * NR, c, ci + r * ldc, cols);
    }
  }

  /**
   * The micro-kernel: C tile (MR,NR) at c[ci], row stride ldc, (+)= A tile (MR,kc) . B panel (kc,NR).
   * Initial value: C itself (loadC), else the bias row (bias != null), else 0. The 4-row tile's
   * eight accumulators just cover the FMA latency (4 cycles x 2 pipes); wider vectors get more rows.
   */
  static void packed(float[] ap, int ai, float[] bp, int bi, int kc, float[] c, int ci, int ldc, boolean loadC,
      float[] bias, int biasOff) {
    if (MR == 6) {
      MicroKernel6Rows.packed(ap, ai, bp, bi, kc, c, ci, ldc, loadC, bias, biasOff);
      return;
    }
    if (MR == 8) {
      MicroKernel8Rows.packed(ap, ai, bp, bi, kc, c, ci, ldc, loadC, bias, biasOff);
      return;
    }
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
    if (loadC) {
      c00 = FloatVector.fromArray(S, c, ci);
      c01 = FloatVector.fromArray(S, c, ci + L);
      c10 = FloatVector.fromArray(S, c, ci + ldc);
      c11 = FloatVector.fromArray(S, c, ci + ldc + L);
      c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
      c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
      c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
      c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
    } else {
      FloatVector b0 = bias != null ? FloatVector.fromArray(S, bias, biasOff) : FloatVector.zero(S);
      FloatVector b1 = bias != null ? FloatVector.fromArray(S, bias, biasOff + L) : FloatVector.zero(S);
      c00 = b0; c10 = b0; c20 = b0; c30 = b0;
      c01 = b1; c11 = b1; c21 = b1; c31 = b1;
    }
    for (int k = 0; k < kc; k++) {
      int a = ai + k * MR;
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
  }
}
