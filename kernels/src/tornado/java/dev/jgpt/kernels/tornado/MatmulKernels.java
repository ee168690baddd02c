package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import java.util.List;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Matrix products for matmul forward and backward, as one strided GEMM:
 * {@code out (M,NC) [+]= A (M,K) @ B (K,NC)} with {@code A(i,k) = a[ao + i*ai + k*ak]} and
 * {@code B(k,j) = b[bo + k*bk + j*bj]} (a, b: the arrays of their kinds), so the three products
 * of a linear layer need no transposed copies:
 * <ul>
 *   <li>forward: out (N,OC) = inp (N,C) @ weight (OC,C)^T (+ bias);
 *   <li>dinp (N,C) = dout (N,OC) @ weight (OC,C) (written);
 *   <li>dweight (OC,C) += dout (N,OC)^T @ inp (N,C) (added to: micro-batches accumulate).
 * </ul>
 * On the device {@link #gemmBlocked} runs work groups of
 * {@link #THREADS} x {@link #THREADS} items over {@link #BLOCK} x {@link #BLOCK} outputs: each item
 * keeps a {@link #WORK} x {@link #WORK} tile of sums in registers, and the group stages
 * {@link #BLOCK} x {@link #DEPTH} slices of A and B in local memory, loaded along whichever index is
 * contiguous in its array (so every tile load is coalesced, whatever the product's strides). With one output row (decode: M = 1) and B
 * contiguous along k, {@link #gemvXW} gives each output column a work group that sums its dot
 * product with a tree in local memory. KernelContext kernels do not run as plain Java, so
 * {@link #gemm} (as {@link #gemmFused} on the host) is their CPU twin (the blocked kernel's sums in
 * the same k order, without the tiling). Each output element has one writer.
 *
 * <p>Buffers: two role-group forms of one GEMM (see {@link Arena}), each array once (TornadoVM
 * deadlocks on a task given one array twice), then an offset per matrix: the output always in the
 * first array p, B (and the bias) in the second, q; A in p in the "xw" form (forward: out and inp
 * activations, weight and bias parameters; dinp: dinp and dout activation gradients, weight
 * parameters) and in q in the "ox" form ({@link #A_IN_Q} in the mode: dweight gradients from dout
 * and inp in the activations). One kernel body serves both forms, with the same sums in the same k
 * order.
 */
public final class MatmulKernels {
  private MatmulKernels() {}

  /** Outputs per work item along each axis (a WORK x WORK register tile). */
  public static final int WORK = 4;

  /** Work items per work group along each axis. */
  public static final int THREADS = 16;

  /** Outputs per work group along each axis: THREADS * WORK. */
  public static final int BLOCK = THREADS * WORK;

  /** The k extent of the A and B slices staged in local memory per step. */
  public static final int DEPTH = 16;

  /** Work items per output column in {@link #gemvXW} (a power of two, for the tree). */
  public static final int GEMV_GROUP = 128;

  /** How gemm writes its output. */
  public static final int OVERWRITE = 0, OVERWRITE_PLUS_BIAS = 1, ACCUMULATE = 2;

  /**
   * Added to the kernels' mode when A is in the second array, with B (the "ox" form), not in the
   * first with the output (the "xw" form). In the mode rather than an argument of its own: the
   * blocked kernel already takes TornadoVM's most (15).
   */
  static final int A_IN_Q = 4;

  // p: out (M,NC) = / += A (M,K) @ q: B (K,NC) [+ q: bias (NC)], A(i,k) = A's array [ao + i*ai + k*ak]
  // with A in p ("xw" form: p = x, q = w) or, when mode has A_IN_Q, in q ("ox" form: p = o, q = x);
  // B(k,j) = q[bo + k*bk + j*bj]. Global work size (blocks(NC) * THREADS, blocks(M) * THREADS),
  // local (THREADS, THREADS). Item (lx, ly) of group (gx, gy) owns the outputs
  // i = gy*BLOCK + ly + THREADS*r, j = gx*BLOCK + lx + THREADS*c for r, c < WORK: neighbouring items
  // own neighbouring columns, so the stores are coalesced too.
  public static void gemmBlocked(KernelContext ctx, FloatArray p, FloatArray q, int outo, int ao, int ai, int ak,
      int bo, int bk, int bj, int biaso, int mode, int M, int NC, int K) {
    int write = mode % A_IN_Q; // OVERWRITE, OVERWRITE_PLUS_BIAS or ACCUMULATE
    int aInQ = mode / A_IN_Q; // the same for the whole grid: no divergence
    int lx = ctx.localIdx;
    int ly = ctx.localIdy;
    int lid = ly * THREADS + lx;
    int i0 = ctx.groupIdy * BLOCK;
    int j0 = ctx.groupIdx * BLOCK;
    float[] aTile = ctx.allocateFloatLocalArray(BLOCK * DEPTH); // [row][k]: A(i0 + row, k0 + k)
    float[] bTile = ctx.allocateFloatLocalArray(DEPTH * BLOCK); // [k][column]: B(k0 + k, j0 + column)
    float[] acc = new float[WORK * WORK]; // [r][c] sums of this item's outputs
    float[] a = new float[WORK];
    float[] b = new float[WORK];
    // Each sum starts from the bias (or the output, when accumulating) and adds the products in k
    // order, each fused by the compiler: the CPU backend's micro-kernel order (see gemm).
    for (int r = 0; r < WORK; r++) {
      int i = i0 + ly + THREADS * r;
      for (int c = 0; c < WORK; c++) {
        int j = j0 + lx + THREADS * c;
        float start = 0f;
        if (i < M) {
          if (j < NC) {
            if (write == OVERWRITE_PLUS_BIAS) start = q.get(biaso + j);
            else if (write == ACCUMULATE) start = p.get(outo + i * NC + j);
          }
        }
        acc[r * WORK + c] = start;
      }
    }
    // Which index of the flat element number e walks fastest in each slice: k when A's k stride is 1
    // (e -> row e / DEPTH, k e % DEPTH), else the row (row e % BLOCK, k e / BLOCK); for B the column
    // when its column stride is 1, else k. Arithmetic, not ?: on the strides, which TornadoVM's
    // OpenCL code generator failed on (LogicConstantNode) once it fixed the strides as constants.
    int aRowFast = TornadoMath.min(ak, 2) - 1; // 0: k contiguous, 1: rows contiguous
    int aRowDiv = DEPTH + aRowFast * (1 - DEPTH);
    int aKDiv = 1 + aRowFast * (BLOCK - 1);
    int bKFast = TornadoMath.min(bj, 2) - 1; // 0: columns contiguous, 1: k contiguous
    int bColDiv = 1 + bKFast * (DEPTH - 1);
    int bKDiv = BLOCK + bKFast * (1 - BLOCK);
    for (int k0 = 0; k0 < K; k0 += DEPTH) {
      // Each item loads BLOCK * DEPTH / (THREADS * THREADS) elements of each slice; consecutive items
      // take consecutive elements along the index with stride 1 in the arena.
      for (int e = lid; e < BLOCK * DEPTH; e += THREADS * THREADS) {
        int row = (e / aRowDiv) % BLOCK;
        int k = (e / aKDiv) % DEPTH;
        int i = i0 + row;
        int ka = k0 + k;
        // Plain branches rather than ?: and && over arguments that TornadoVM may fix as constants.
        float av = 0f;
        if (i < M) {
          if (ka < K) {
            if (aInQ == 1) av = q.get(ao + i * ai + ka * ak);
            else av = p.get(ao + i * ai + ka * ak);
          }
        }
        aTile[row * DEPTH + k] = av;
        int col = (e / bColDiv) % BLOCK;
        int kk = (e / bKDiv) % DEPTH;
        int j = j0 + col;
        int kb = k0 + kk;
        float bv = 0f;
        if (kb < K) {
          if (j < NC) bv = q.get(bo + kb * bk + j * bj);
        }
        bTile[kk * BLOCK + col] = bv;
      }
      ctx.localBarrier();
      for (int k = 0; k < DEPTH; k++) {
        for (int r = 0; r < WORK; r++) a[r] = aTile[(ly + THREADS * r) * DEPTH + k];
        for (int c = 0; c < WORK; c++) b[c] = bTile[k * BLOCK + lx + THREADS * c];
        for (int r = 0; r < WORK; r++) {
          for (int c = 0; c < WORK; c++) acc[r * WORK + c] += a[r] * b[c];
        }
      }
      ctx.localBarrier();
    }
    for (int r = 0; r < WORK; r++) {
      int i = i0 + ly + THREADS * r;
      for (int c = 0; c < WORK; c++) {
        int j = j0 + lx + THREADS * c;
        if (i < M) {
          if (j < NC) {
            p.set(outo + i * NC + j, acc[r * WORK + c]);
          }
        }
      }
    }
  }

  // x: out (1,NC) = / += x: A (1,K) @ w: B (K,NC) [+ w: bias (NC)] for B contiguous along k (bk == 1: the
  // forward's weight rows); one work group of GEMV_GROUP items per output column j = groupIdx,
  // grid (NC * GEMV_GROUP, 1), local (GEMV_GROUP, 1). Items stride over k, then a local-memory tree.
  public static void gemvXW(KernelContext ctx, FloatArray x, FloatArray w, int outo, int ao, int ak, int bo, int bk,
      int bj, int biaso, int mode, int NC, int K) {
    int j = ctx.groupIdx;
    int lid = ctx.localIdx;
    float[] part = ctx.allocateFloatLocalArray(GEMV_GROUP); // one partial dot product per item
    float sum = 0f;
    for (int k = lid; k < K; k += GEMV_GROUP) sum += x.get(ao + k * ak) * w.get(bo + k * bk + j * bj);
    part[lid] = sum;
    ctx.localBarrier();
    for (int stride = GEMV_GROUP / 2; stride > 0; stride = stride / 2) {
      if (lid < stride) part[lid] += part[lid + stride];
      ctx.localBarrier();
    }
    if (lid == 0) {
      int o = outo + j;
      if (mode == OVERWRITE) x.set(o, part[0]);
      else if (mode == OVERWRITE_PLUS_BIAS) x.set(o, part[0] + w.get(biaso + j));
      else x.set(o, x.get(o) + part[0]);
    }
  }

  // p: out (M,NC) = / += A (M,K) @ q: B (K,NC) [+ q: bias (NC)], A in p or (mode has A_IN_Q) in q:
  // the loop kernel on CPU OpenCL devices, and on the host the CPU twin of gemmBlocked and gemvXW.
  // Each sum starts from the bias (or from the output, when accumulating) and adds the products in
  // k order: the CPU backend's micro-kernel order. TornadoVM's OpenCL compiler turns every
  // `sum + a * b` into one fma (tornado.enable.fma, on by default), as the micro-kernel's
  // FloatVector.fma: the device gets the CPU backend's float. The host runs gemmFused, this with
  // Math.fma written out.
  public static void gemm(FloatArray p, FloatArray q, int outo, int ao, int ai, int ak, int bo, int bk, int bj,
      int biaso, int mode, int M, int NC, int K) {
    int write = mode % A_IN_Q;
    int aInQ = mode / A_IN_Q;
    for (@Parallel int i = 0; i < M; i++) {
      for (@Parallel int j = 0; j < NC; j++) {
        int o = outo + i * NC + j;
        float sum = 0f;
        if (write == OVERWRITE_PLUS_BIAS) sum = q.get(biaso + j);
        else if (write == ACCUMULATE) sum = p.get(o);
        for (int k = 0; k < K; k++) {
          float av = 0f;
          if (aInQ == 1) av = q.get(ao + i * ai + k * ak);
          else av = p.get(ao + i * ai + k * ak);
          sum += av * q.get(bo + k * bk + j * bj);
        }
        p.set(o, sum);
      }
    }
  }

  // gemm as the host runs it: Math.fma where the device compiler fuses (Java never fuses a * b + c)
  public static void gemmFused(FloatArray p, FloatArray q, int outo, int ao, int ai, int ak, int bo, int bk, int bj,
      int biaso, int mode, int M, int NC, int K) {
    int write = mode % A_IN_Q;
    FloatArray a = mode / A_IN_Q == 1 ? q : p;
    for (int i = 0; i < M; i++) {
      for (int j = 0; j < NC; j++) {
        int o = outo + i * NC + j;
        float sum = 0f;
        if (write == OVERWRITE_PLUS_BIAS) sum = q.get(biaso + j);
        else if (write == ACCUMULATE) sum = p.get(o);
        for (int k = 0; k < K; k++) sum = Math.fma(a.get(ao + i * ai + k * ak), q.get(bo + k * bk + j * bj), sum);
        p.set(o, sum);
      }
    }
  }

  /**
   * out (M,NC) = / += A (M,K) @ B (K,NC) [+ bias], A(i,k) = a[ao + i*ai + k*ak],
   * B(k,j) = b[bo + k*bk + j*bj], each in the array of its kind. Out and A in one kind with B and
   * bias in another: the "xw" form; A and B in one kind with out in another: the "ox" form (no
   * bias). workGroups: on the device {@link #gemvXW} for one row of the xw form over B contiguous
   * along k, else the blocked kernel, and their twin on the host; otherwise the
   * {@code @Parallel} loops everywhere (faster on CPU OpenCL devices, where work-group barriers and
   * local memory are emulated).
   */
  static Launch launchGemm(boolean workGroups, String op, BufferKind outk, int outo, BufferKind ak, int ao, int ai,
      int akk, BufferKind bk, int bo, int bkk, int bj, BufferKind biask, int biaso, int mode, int M, int NC, int K) {
    int bias = Math.max(biaso, 0);
    List<Object> signature = Launch.sig(op, outk, outo, ak, ao, ai, akk, bk, bo, bkk, bj, biask, biaso, mode, M, NC,
        K);
    BufferKind second; // the q array: B's kind (and the bias's)
    int form; // mode plus where A is
    if (outk == ak && bk != ak && (biask == null || biask == bk)) {
      second = bk;
      form = mode;
      if (workGroups && M == 1 && bkk == 1) {
        KernelCall gemv = (s, a, ctx) -> s.task(MatmulKernels::gemvXW, ctx, a.of(ak), a.of(bk), outo, ao, akk, bo, bkk,
            bj, bias, mode, NC, K);
        KernelCall host = (s, a, ctx) -> s.task(MatmulKernels::gemmFused, a.of(outk), a.of(bk), outo, ao, ai, akk, bo,
            bkk, bj, bias, mode, M, NC, K);
        return new Launch(signature, false, gemv, host, new int[] {NC * GEMV_GROUP, 1, GEMV_GROUP, 1}, null);
      }
    } else if (ak == bk && outk != ak && biask == null) {
      second = ak;
      form = mode + A_IN_Q;
    } else {
      throw new IllegalArgumentException("TornadoVM backend: " + op + " needs its output and input in one buffer kind"
          + " with the weight (and bias) in another, or its two inputs in one kind with the output in another; got"
          + " output " + outk + ", inputs " + ak + " and " + bk + (biask == null ? "" : ", bias " + biask)
          + "; allocate weights with BufferKind.PARAMETERS and their gradients with GRADIENTS");
    }
    KernelCall loops = (s, a, ctx) -> s.task(MatmulKernels::gemm, a.of(outk), a.of(second), outo, ao, ai, akk, bo, bkk,
        bj, bias, form, M, NC, K);
    KernelCall host = (s, a, ctx) -> s.task(MatmulKernels::gemmFused, a.of(outk), a.of(second), outo, ao, ai, akk, bo,
        bkk, bj, bias, form, M, NC, K); // the loops with Math.fma: the device's fused sums on the host
    KernelCall device = (s, a, ctx) -> s.task(MatmulKernels::gemmBlocked, ctx, a.of(outk), a.of(second), outo, ao, ai,
        akk, bo, bkk, bj, bias, form, M, NC, K);
    if (!workGroups) return new Launch(signature, false, loops, host, null, null);
    int[] grid = {blocks(NC) * THREADS, blocks(M) * THREADS, THREADS, THREADS};
    return new Launch(signature, false, device, host, grid, null);
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

  /** Work groups along one axis of n outputs: n rounded up to whole blocks. */
  static int blocks(int n) {
    return (n + BLOCK - 1) / BLOCK;
  }
}
