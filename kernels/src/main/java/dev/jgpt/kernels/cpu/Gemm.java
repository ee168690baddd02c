package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import jdk.incubator.vector.FloatVector;

/**
 * The blocked matrix multiply behind every matmul kernel: {@code C (M,NC) (+)= A (M,K) B (K,NC)}
 * with B pre-packed, in the BLIS layout:
 * <ul>
 *   <li>B is packed into column panels of {@link #NR} columns (zero-padded), each panel K rows
 *       of NR contiguous floats: {@code bp[(panel*K + k)*NR + j]};
 *   <li>each worker packs its own row block of A (MC rows, KC deep) into tiles of {@link #MR}
 *       rows, each KC steps of MR contiguous floats, zero-padded past the last row;
 *   <li>the register-blocked micro-kernel multiplies one MR x NR tile: 8 vector accumulators
 *       (MR=4 rows x 2 vectors), per k two vector loads of B and four broadcasts of A.
 * </ul>
 * Loop order per worker: row block (L2-resident A) -> K block -> column panel (L1-resident B
 * panel) -> row tile. Workers own disjoint row tiles of C: one writer per output element.
 */
final class Gemm {
  /** Rows of the register tile. */
  static final int MR = 4;
  /** Columns of the register tile: two vectors. */
  static final int NR = 2 * L;
  /** Depth of a K block: an MR x KC A tile plus a KC x NR B panel stay in L1/L2. */
  static final int KC = 256;
  /** Row tiles per row block: MC = 24 * 4 = 96 rows, an A block of 96 KB at KC = 256. */
  static final int MC_TILES = 24;

  /** A (M,K) element (i,k) is a[aOff + i*aRow + k*aCol]: covers A, A^T and row-strided views. */
  record Operand(float[] a, int off, int rowStride, int colStride) {}

  private final WorkerPool pool;
  /** Per worker: its packed A block and an MR x NR tile for ragged edges. */
  private final float[][] aPack;
  private final float[][] edgeTile;

  Gemm(WorkerPool pool) {
    this.pool = pool;
    int w = pool.threads();
    aPack = new float[w][MC_TILES * MR * KC];
    edgeTile = new float[w][MR * NR];
  }

  /** Number of NR-wide column panels covering n columns. */
  static int panels(int n) {
    return (n + NR - 1) / NR;
  }

  /** Floats a packed B of K rows and n columns needs. */
  static long packedSize(int K, int n) {
    return (long) panels(n) * K * NR;
  }

  // ------------------------------------------------------------------ packing B (callers run these in parallel by panel)

  /**
   * Packs B = W^T where W (n,K) is row-major (a weight (OC,C) in the forward pass): panel p gets
   * columns p*NR .. of B, i.e. rows of W, transposed. Panels [p0, p1).
   */
  static void packTransposed(float[] w, int wOff, int n, int K, float[] bp, int p0, int p1) {
    final int kBlock = 128; // the panel slice being written (kBlock x NR floats) stays in L1
    for (int p = p0; p < p1; p++) {
      int base = p * K * NR;
      for (int k0 = 0; k0 < K; k0 += kBlock) {
        int k1 = Math.min(K, k0 + kBlock);
        for (int j = 0; j < NR; j++) {
          int row = p * NR + j;
          if (row < n) {
            int src = wOff + row * K;
            for (int k = k0; k < k1; k++) bp[base + k * NR + j] = w[src + k];
          } else {
            for (int k = k0; k < k1; k++) bp[base + k * NR + j] = 0f;
          }
        }
      }
    }
  }

  /**
   * Packs B (K,n) stored row-major with row stride ld (a weight (OC,C) for dinp, an input
   * (N,C) for dweight): straight vector copies, zero-padded past column n. Panels [p0, p1).
   */
  static void packRows(float[] src, int off, int ld, int n, int K, float[] bp, int p0, int p1) {
    for (int p = p0; p < p1; p++) {
      int col = p * NR;
      int base = p * K * NR;
      int width = Math.min(NR, n - col);
      for (int k = 0; k < K; k++) {
        int s = off + k * ld + col;
        int d = base + k * NR;
        if (width == NR) {
          FloatVector.fromArray(S, src, s).intoArray(bp, d);
          FloatVector.fromArray(S, src, s + L).intoArray(bp, d + L);
        } else {
          for (int j = 0; j < width; j++) bp[d + j] = src[s + j];
          for (int j = width; j < NR; j++) bp[d + j] = 0f;
        }
      }
    }
  }

  // ------------------------------------------------------------------ the product

  /**
   * Worker {@code w} of {@code ws}: its share of row tiles of
   * {@code C (M,n) = [C +] A (M,K) B (K,n) [+ bias (n)]}; C(i,j) is c[cOff + i*ldc + j].
   * accumulate: add into C; otherwise C is overwritten (with bias added when not null).
   */
  void multiply(int w, int ws, int M, int n, int K, Operand a, float[] bp, float[] c, int cOff, int ldc,
      boolean accumulate, float[] bias, int biasOff) {
    int tiles = (M + MR - 1) / MR;
    int t0 = WorkerPool.split(tiles, w, ws), t1 = WorkerPool.split(tiles, w + 1, ws);
    float[] ap = aPack[w];
    float[] tile = edgeTile[w];
    int nPanels = panels(n);
    for (int ic = t0; ic < t1; ic += MC_TILES) {
      int icEnd = Math.min(t1, ic + MC_TILES);
      for (int pc = 0; pc < K; pc += KC) {
        int kc = Math.min(KC, K - pc);
        packA(a, M, ic, icEnd, pc, kc, ap);
        boolean loadC = accumulate || pc > 0;
        float[] initBias = loadC ? null : bias;
        for (int p = 0; p < nPanels; p++) {
          int cols = Math.min(NR, n - p * NR);
          int bi = (p * K + pc) * NR;
          for (int t = ic; t < icEnd; t++) {
            int rows = Math.min(MR, M - t * MR);
            int ai = (t - ic) * kc * MR;
            int ci = cOff + t * MR * ldc + p * NR;
            if (rows == MR && cols == NR) {
              kernel(ap, ai, bp, bi, kc, c, ci, ldc, loadC, initBias, biasOff + p * NR);
            } else {
              edge(ap, ai, bp, bi, kc, c, ci, ldc, rows, cols, loadC, initBias, biasOff + p * NR, tile);
            }
          }
        }
      }
    }
  }

  /** Packs rows [ic*MR, icEnd*MR) x k [pc, pc+kc) of A into MR-row tiles, zero past row M. */
  private static void packA(Operand op, int M, int ic, int icEnd, int pc, int kc, float[] ap) {
    float[] a = op.a();
    int rs = op.rowStride(), cs = op.colStride();
    for (int t = ic; t < icEnd; t++) {
      int dst = (t - ic) * kc * MR;
      if (cs == 1) {
        // A rows contiguous in k (an input or dout row): read each row sequentially.
        for (int r = 0; r < MR; r++) {
          int i = t * MR + r;
          if (i < M) {
            int src = op.off() + i * rs + pc;
            for (int k = 0; k < kc; k++) ap[dst + k * MR + r] = a[src + k];
          } else {
            for (int k = 0; k < kc; k++) ap[dst + k * MR + r] = 0f;
          }
        }
      } else {
        // A = dout^T: the MR rows of one k are contiguous in memory.
        int rows = Math.min(MR, M - t * MR);
        for (int k = 0; k < kc; k++) {
          int src = op.off() + t * MR * rs + (pc + k) * cs;
          int d = dst + k * MR;
          for (int r = 0; r < rows; r++) ap[d + r] = a[src + r * rs];
          for (int r = rows; r < MR; r++) ap[d + r] = 0f;
        }
      }
    }
  }

  /** A ragged tile (fewer than MR rows or NR columns): run the full kernel on a scratch tile. */
  private static void edge(float[] ap, int ai, float[] bp, int bi, int kc, float[] c, int ci, int ldc, int rows,
      int cols, boolean loadC, float[] bias, int biasOff, float[] tile) {
    java.util.Arrays.fill(tile, 0f);
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < cols; j++) {
        tile[r * NR + j] = loadC ? c[ci + r * ldc + j] : bias != null ? bias[biasOff + j] : 0f;
      }
    }
    kernel(ap, ai, bp, bi, kc, tile, 0, NR, true, null, 0);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(tile, r * NR, c, ci + r * ldc, cols);
    }
  }

  /**
   * The micro-kernel: C tile (MR,NR) at c[ci], row stride ldc, (+)= A tile (MR,kc) . B panel (kc,NR).
   * Initial value: C itself (loadC), else the bias row (bias != null), else 0. Eight accumulators
   * cover the FMA latency (4 cycles x 2 pipes); C2 spills a 6-row tile, measured 3x slower.
   */
  static void kernel(float[] ap, int ai, float[] bp, int bi, int kc, float[] c, int ci, int ldc, boolean loadC,
      float[] bias, int biasOff) {
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
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    c10.intoArray(c, ci + ldc);
    c11.intoArray(c, ci + ldc + L);
    c20.intoArray(c, ci + 2 * ldc);
    c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc);
    c31.intoArray(c, ci + 3 * ldc + L);
  }
}
