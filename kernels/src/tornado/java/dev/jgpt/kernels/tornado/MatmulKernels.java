package dev.jgpt.kernels.tornado;

import java.util.List;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Matrix products for matmul forward and backward, as one strided GEMM:
 * {@code out (M,NC) [+]= A (M,K) @ B (K,NC)} with {@code A(i,k) = m[ao + i*ai + k*ak]} and
 * {@code B(k,j) = m[bo + k*bk + j*bj]}, so the three products of a linear layer need no
 * transposed copies:
 * <ul>
 *   <li>forward: out (N,OC) = inp (N,C) @ weight (OC,C)^T (+ bias);
 *   <li>dinp (N,C) += dout (N,OC) @ weight (OC,C);
 *   <li>dweight (OC,C) += dout (N,OC)^T @ inp (N,C).
 * </ul>
 * On the device {@link #gemmTiled} runs one work item per output element in TILE x TILE work
 * groups that stage tiles of A and B in local memory; KernelContext kernels do not run as plain
 * Java, so {@link #gemm} is its CPU twin (same sums, in the same k order, without the tiling).
 * Each output element has one writer.
 */
public final class MatmulKernels {
  private MatmulKernels() {}

  /** Work-group edge: TILE x TILE work items, two TILE x TILE float tiles of local memory. */
  public static final int TILE = 16;

  /** How gemm writes its output. */
  public static final int OVERWRITE = 0, OVERWRITE_PLUS_BIAS = 1, ACCUMULATE = 2;

  // out (M,NC) = / += A (M,K) @ B (K,NC) [+ bias (NC)], tiled in local memory; global work size
  // (roundUp(NC), roundUp(M)), local (TILE, TILE): x walks the columns j, y the rows i
  public static void gemmTiled(KernelContext ctx, FloatArray m, int outo, int ao, int ai, int ak, int bo, int bk,
      int bj, int biaso, int mode, int M, int NC, int K) {
    int lx = ctx.localIdx;
    int ly = ctx.localIdy;
    int j = ctx.groupIdx * TILE + lx;
    int i = ctx.groupIdy * TILE + ly;
    float[] aTile = ctx.allocateFloatLocalArray(TILE * TILE); // [row ly][k]
    float[] bTile = ctx.allocateFloatLocalArray(TILE * TILE); // [k][column lx]
    float sum = 0f;
    for (int k0 = 0; k0 < K; k0 += TILE) {
      int ka = k0 + lx;
      aTile[ly * TILE + lx] = i < M && ka < K ? m.get(ao + i * ai + ka * ak) : 0f;
      int kb = k0 + ly;
      bTile[ly * TILE + lx] = kb < K && j < NC ? m.get(bo + kb * bk + j * bj) : 0f;
      ctx.localBarrier();
      for (int k = 0; k < TILE; k++) sum += aTile[ly * TILE + k] * bTile[k * TILE + lx];
      ctx.localBarrier();
    }
    if (i < M && j < NC) {
      int o = outo + i * NC + j;
      if (mode == OVERWRITE) m.set(o, sum);
      else if (mode == OVERWRITE_PLUS_BIAS) m.set(o, sum + m.get(biaso + j));
      else m.set(o, m.get(o) + sum);
    }
  }

  // CPU twin of gemmTiled: out (M,NC) = / += A (M,K) @ B (K,NC) [+ bias (NC)]
  public static void gemm(FloatArray m, int outo, int ao, int ai, int ak, int bo, int bk, int bj, int biaso, int mode,
      int M, int NC, int K) {
    for (@Parallel int i = 0; i < M; i++) {
      for (@Parallel int j = 0; j < NC; j++) {
        float sum = 0f;
        for (int k = 0; k < K; k++) sum += m.get(ao + i * ai + k * ak) * m.get(bo + k * bk + j * bj);
        int o = outo + i * NC + j;
        if (mode == OVERWRITE) m.set(o, sum);
        else if (mode == OVERWRITE_PLUS_BIAS) m.set(o, sum + m.get(biaso + j));
        else m.set(o, m.get(o) + sum);
      }
    }
  }

  /**
   * out (M,NC) = / += A (M,K) @ B (K,NC) [+ bias], A(i,k) = m[ao + i*ai + k*ak],
   * B(k,j) = m[bo + k*bk + j*bj]. tiled: the KernelContext kernel on the device and its twin on
   * the host; otherwise the {@code @Parallel} loops everywhere (faster on CPU OpenCL devices, where
   * work-group barriers and local memory are emulated).
   */
  static Launch launchGemm(boolean tiled, String op, int outo, int ao, int ai, int ak, int bo, int bk, int bj, int biaso,
      int mode, int M, int NC, int K) {
    int bias = Math.max(biaso, 0);
    KernelCall loops = (s, m, ix, ctx) ->
        s.task(MatmulKernels::gemm, m, outo, ao, ai, ak, bo, bk, bj, bias, mode, M, NC, K);
    List<Object> signature = Launch.sig(op, outo, ao, ai, ak, bo, bk, bj, biaso, mode, M, NC, K);
    if (!tiled) return Launch.parallel(signature, loops);
    KernelCall device = (s, m, ix, ctx) ->
        s.task(MatmulKernels::gemmTiled, ctx, m, outo, ao, ai, ak, bo, bk, bj, bias, mode, M, NC, K);
    int tile = MatmulKernels.TILE;
    int[] grid = {MatmulKernels.roundUp(NC), MatmulKernels.roundUp(M), tile, tile};
    return new Launch(signature, false, device, loops, grid, null);
  }

  // dbias (OC) += column sums of dout (N,OC); one work item per column
  public static void biasBackward(FloatArray m, int dbiaso, int douto, int N, int OC) {
    for (@Parallel int o = 0; o < OC; o++) {
      float sum = 0f;
      for (int n = 0; n < N; n++) sum += m.get(douto + n * OC + o);
      m.set(dbiaso + o, m.get(dbiaso + o) + sum);
    }
  }

  static Launch launchBiasBackward(int dbo, int douto, int N, int OC) {
    return Launch.parallel(Launch.sig("matmulBackward.bias", dbo, douto, N, OC),
        (s, m, ix, ctx) -> s.task(MatmulKernels::biasBackward, m, dbo, douto, N, OC));
  }

  /** The global size along one axis: n rounded up to whole tiles. */
  public static int roundUp(int n) {
    return (n + TILE - 1) / TILE * TILE;
  }
}
