package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import java.util.List;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Matrix products for matmul forward and backward, as one strided GEMM:
 * {@code out (M,NC) [+]= A (M,K) @ B (K,NC)} with {@code A(i,k) = a[ao + i*ai + k*ak]} and
 * {@code B(k,j) = b[bo + k*bk + j*bj]} (a, b: the arrays of their kinds), so the three products of a linear layer need no
 * transposed copies:
 * <ul>
 *   <li>forward: out (N,OC) = inp (N,C) @ weight (OC,C)^T (+ bias);
 *   <li>dinp (N,C) += dout (N,OC) @ weight (OC,C);
 *   <li>dweight (OC,C) += dout (N,OC)^T @ inp (N,C).
 * </ul>
 * On the device {@link #gemmTiledXW} / {@link #gemmTiledOX} run one work item per output element in TILE x TILE work
 * groups that stage tiles of A and B in local memory; KernelContext kernels do not run as plain
 * Java, so {@link #gemmXW} / {@link #gemmOX} are their CPU twins (same sums, in the same k order, without the tiling).
 * Each output element has one writer.
 */
public final class MatmulKernels {
  private MatmulKernels() {}

  /** Work-group edge: TILE x TILE work items, two TILE x TILE float tiles of local memory. */
  public static final int TILE = 16;

  /** How gemm writes its output. */
  public static final int OVERWRITE = 0, OVERWRITE_PLUS_BIAS = 1, ACCUMULATE = 2;

  // Two role-group forms of one GEMM (see Arena): "xw" with out and A in x, B and bias in w
  // (forward: out, inp in the activations, weight, bias in the parameters; dinp likewise), and
  // "ox" with out alone in o and A, B in x (dweight in the gradients from dout and inp). Same
  // sums in the same k order in both.

  // x: out (M,NC) = / += x: A (M,K) @ w: B (K,NC) [+ w: bias (NC)], tiled in local memory; global
  // work size (roundUp(NC), roundUp(M)), local (TILE, TILE): x walks the columns j, y the rows i
  public static void gemmTiledXW(KernelContext ctx, FloatArray x, FloatArray w, int outo, int ao, int ai, int ak,
      int bo,
      int bk, int bj, int biaso, int mode, int M, int NC, int K) {
    int lx = ctx.localIdx;
    int ly = ctx.localIdy;
    int j = ctx.groupIdx * TILE + lx;
    int i = ctx.groupIdy * TILE + ly;
    float[] aTile = ctx.allocateFloatLocalArray(TILE * TILE); // [row ly][k]
    float[] bTile = ctx.allocateFloatLocalArray(TILE * TILE); // [k][column lx]
    float sum = 0f;
    for (int k0 = 0; k0 < K; k0 += TILE) {
      int ka = k0 + lx;
      aTile[ly * TILE + lx] = i < M && ka < K ? x.get(ao + i * ai + ka * ak) : 0f;
      int kb = k0 + ly;
      bTile[ly * TILE + lx] = kb < K && j < NC ? w.get(bo + kb * bk + j * bj) : 0f;
      ctx.localBarrier();
      for (int k = 0; k < TILE; k++) sum += aTile[ly * TILE + k] * bTile[k * TILE + lx];
      ctx.localBarrier();
    }
    if (i < M && j < NC) {
      int o = outo + i * NC + j;
      if (mode == OVERWRITE) x.set(o, sum);
      else if (mode == OVERWRITE_PLUS_BIAS) x.set(o, sum + w.get(biaso + j));
      else x.set(o, x.get(o) + sum);
    }
  }

  // o: out (M,NC) = / += x: A (M,K) @ x: B (K,NC), tiled as gemmTiledXW (no bias)
  public static void gemmTiledOX(KernelContext ctx, FloatArray o, FloatArray x, int outo, int ao, int ai, int ak,
      int bo,
      int bk, int bj, int mode, int M, int NC, int K) {
    int lx = ctx.localIdx;
    int ly = ctx.localIdy;
    int j = ctx.groupIdx * TILE + lx;
    int i = ctx.groupIdy * TILE + ly;
    float[] aTile = ctx.allocateFloatLocalArray(TILE * TILE); // [row ly][k]
    float[] bTile = ctx.allocateFloatLocalArray(TILE * TILE); // [k][column lx]
    float sum = 0f;
    for (int k0 = 0; k0 < K; k0 += TILE) {
      int ka = k0 + lx;
      aTile[ly * TILE + lx] = i < M && ka < K ? x.get(ao + i * ai + ka * ak) : 0f;
      int kb = k0 + ly;
      bTile[ly * TILE + lx] = kb < K && j < NC ? x.get(bo + kb * bk + j * bj) : 0f;
      ctx.localBarrier();
      for (int k = 0; k < TILE; k++) sum += aTile[ly * TILE + k] * bTile[k * TILE + lx];
      ctx.localBarrier();
    }
    if (i < M && j < NC) {
      int e = outo + i * NC + j;
      if (mode == ACCUMULATE) o.set(e, o.get(e) + sum);
      else o.set(e, sum);
    }
  }

  // CPU twin of gemmTiledXW (and the loop kernel on CPU OpenCL devices): x: out (M,NC) = / +=
  // x: A (M,K) @ w: B (K,NC) [+ w: bias (NC)]
  public static void gemmXW(FloatArray x, FloatArray w, int outo, int ao, int ai, int ak, int bo, int bk, int bj,
      int biaso, int mode, int M, int NC, int K) {
    for (@Parallel int i = 0; i < M; i++) {
      for (@Parallel int j = 0; j < NC; j++) {
        float sum = 0f;
        for (int k = 0; k < K; k++) sum += x.get(ao + i * ai + k * ak) * w.get(bo + k * bk + j * bj);
        int o = outo + i * NC + j;
        if (mode == OVERWRITE) x.set(o, sum);
        else if (mode == OVERWRITE_PLUS_BIAS) x.set(o, sum + w.get(biaso + j));
        else x.set(o, x.get(o) + sum);
      }
    }
  }

  // CPU twin of gemmTiledOX: o: out (M,NC) = / += x: A (M,K) @ x: B (K,NC)
  public static void gemmOX(FloatArray o, FloatArray x, int outo, int ao, int ai, int ak, int bo, int bk, int bj,
      int mode, int M, int NC, int K) {
    for (@Parallel int i = 0; i < M; i++) {
      for (@Parallel int j = 0; j < NC; j++) {
        float sum = 0f;
        for (int k = 0; k < K; k++) sum += x.get(ao + i * ai + k * ak) * x.get(bo + k * bk + j * bj);
        int e = outo + i * NC + j;
        if (mode == ACCUMULATE) o.set(e, o.get(e) + sum);
        else o.set(e, sum);
      }
    }
  }

  /**
   * out (M,NC) = / += A (M,K) @ B (K,NC) [+ bias], A(i,k) = a[ao + i*ai + k*ak],
   * B(k,j) = b[bo + k*bk + j*bj], each in the array of its kind. Out and A in one kind with B and
   * bias in another: the "xw" form; A and B in one kind with out in another: the "ox" form (no
   * bias). tiled: the KernelContext kernel on the device and its twin on the host; otherwise the
   * {@code @Parallel} loops everywhere (faster on CPU OpenCL devices, where work-group barriers and
   * local memory are emulated).
   */
  static Launch launchGemm(boolean tiled, String op, BufferKind outk, int outo, BufferKind ak, int ao, int ai, int akk,
      BufferKind bk, int bo, int bkk, int bj, BufferKind biask, int biaso, int mode, int M, int NC, int K) {
    int bias = Math.max(biaso, 0);
    List<Object> signature = Launch.sig(op, outk, outo, ak, ao, ai, akk, bk, bo, bkk, bj, biask, biaso, mode, M, NC,
        K);
    KernelCall loops;
    KernelCall device;
    if (outk == ak && bk != ak && (biask == null || biask == bk)) {
      loops = (s, a, ctx) -> s.task(MatmulKernels::gemmXW, a.of(ak), a.of(bk), outo, ao, ai, akk, bo, bkk, bj, bias,
          mode,
          M, NC, K);
      device = (s, a, ctx) -> s.task(MatmulKernels::gemmTiledXW, ctx, a.of(ak), a.of(bk), outo, ao, ai, akk, bo, bkk,
          bj, bias, mode, M, NC, K);
    } else if (ak == bk && outk != ak && biask == null) {
      loops = (s, a, ctx) -> s.task(MatmulKernels::gemmOX, a.of(outk), a.of(ak), outo, ao, ai, akk, bo, bkk, bj, mode,
          M, NC, K);
      device = (s, a, ctx) -> s.task(MatmulKernels::gemmTiledOX, ctx, a.of(outk), a.of(ak), outo, ao, ai, akk, bo, bkk,
          bj, mode, M, NC, K);
    } else {
      throw new IllegalArgumentException("TornadoVM backend: " + op + " needs its output and input in one buffer kind"
          + " with the weight (and bias) in another, or its two inputs in one kind with the output in another; got"
          + " output " + outk + ", inputs " + ak + " and " + bk + (biask == null ? "" : ", bias " + biask)
          + "; allocate weights with BufferKind.PARAMETERS and their gradients with GRADIENTS");
    }
    if (!tiled) return Launch.parallel(signature, loops);
    int tile = MatmulKernels.TILE;
    int[] grid = {MatmulKernels.roundUp(NC), MatmulKernels.roundUp(M), tile, tile};
    return new Launch(signature, false, device, loops, grid, null);
  }

  // g: dbias (OC) += column sums of x: dout (N,OC); one work item per column
  public static void biasBackward(FloatArray x, FloatArray g, int dbiaso, int douto, int N, int OC) {
    for (@Parallel int o = 0; o < OC; o++) {
      float sum = 0f;
      for (int n = 0; n < N; n++) sum += x.get(douto + n * OC + o);
      g.set(dbiaso + o, g.get(dbiaso + o) + sum);
    }
  }

  static Launch launchBiasBackward(BufferKind gk, int dbo, BufferKind xk, int douto, int N, int OC) {
    KindCheck.apart("matmulBackward", new String[] {"output gradient", "bias gradient"}, xk, gk);
    return Launch.parallel(Launch.sig("matmulBackward.bias", gk, dbo, xk, douto, N, OC),
        (s, a, ctx) -> s.task(MatmulKernels::biasBackward, a.of(xk), a.of(gk), dbo, douto, N, OC));
  }

  /** The global size along one axis: n rounded up to whole tiles. */
  public static int roundUp(int n) {
    return (n + TILE - 1) / TILE * TILE;
  }
}
