package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

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
 * Loop order per chunk of row tiles: row block (L2-resident A) -> K block -> column panel
 * (L1-resident B panel) -> row tile. Each row tile of C is computed by one worker: one writer
 * per output element, and the same summation order whatever the thread count.
 */
final class Gemm {
  /** Rows of the register tile. */
  static final int MR = 4;
  /** Floats in 4 KiB: operand strides that are multiples of it alias in L1. */
  private static final int ALIASING_STRIDE = 1024;
  /** MR floats as one vector: packs a dout^T tile column in one move. */
  private static final VectorSpecies<Float> QUAD = FloatVector.SPECIES_128;
  /** Columns of the register tile: two vectors. */
  static final int NR = 2 * L;
  /** Depth of a K block: an MR x KC A tile plus a KC x NR B panel stay in L1/L2. */
  static final int KC = 256;
  /** Row tiles per row block: MC = 24 * 4 = 96 rows, an A block of 96 KB at KC = 256. */
  static final int MC_TILES = 24;

  /** A (M,K) element (i,k) is a[aOff + i*aRow + k*aCol]: covers A, A^T and row-strided views. */
  record Operand(float[] a, int off, int rowStride, int colStride) {
    Operand {
      if (rowStride != 1 && colStride != 1) throw new IllegalArgumentException("one operand stride must be 1");
    }
  }

  private final WorkerPool pool;
  private final java.util.concurrent.atomic.AtomicInteger nextTile = new java.util.concurrent.atomic.AtomicInteger();
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
   * Packs B = W^T where W (n,K) is row-major with row stride ld (a weight (OC,C) in the forward
   * pass, the keys of one head in attention): panel p gets columns p*NR .. of B, i.e. rows of W,
   * transposed. Panels [p0, p1).
   */
  static void packTransposed(float[] w, int wOff, int ld, int n, int K, float[] bp, int p0, int p1) {
    final int kBlock = 128; // the panel slice being written (kBlock x NR floats) stays in L1
    for (int p = p0; p < p1; p++) {
      int base = p * K * NR;
      for (int k0 = 0; k0 < K; k0 += kBlock) {
        int k1 = Math.min(K, k0 + kBlock);
        for (int j = 0; j < NR; j++) {
          int row = p * NR + j;
          if (row < n) {
            int src = wOff + row * ld;
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
   * One product {@code C (M,n) = [C +] A (M,K) B (K,n) [+ bias (n)]} with B packed in bp;
   * C(i,j) is c[cOff + i*ldc + j]. accumulate: add into C; otherwise overwrite C (plus bias
   * when not null).
   */
  record Product(int M, int n, int K, Operand a, float[] bp, float[] c, int cOff, int ldc, boolean accumulate,
      float[] bias, int biasOff) {
    int tiles() {
      return (M + MR - 1) / MR;
    }
  }

  /**
   * Computes the products on all workers. Row tiles are handed out in chunks that shrink as the
   * work runs out (guided scheduling): a worker slowed by another process simply takes fewer,
   * and the last chunks are small enough to even out the finish. Which worker computes a tile
   * never changes its result.
   */
  void run(Product... products) {
    int total = 0;
    for (Product p : products) total += p.tiles();
    int totalTiles = total;
    nextTile.set(0);
    pool.run((w, ws) -> {
      while (true) {
        int start = nextTile.get();
        if (start >= totalTiles) return;
        // Find the product holding virtual tile `start`; a chunk never crosses into the next.
        int base = 0, i = 0;
        while (start - base >= products[i].tiles()) base += products[i++].tiles();
        int remaining = products[i].tiles() - (start - base);
        int chunk = Math.max(1, Math.min(MC_TILES, remaining / (2 * ws)));
        if (nextTile.compareAndSet(start, start + chunk)) {
          multiplyTiles(w, products[i], start - base, start - base + chunk);
        }
      }
    });
  }

  /** Row tiles [t0, t1) of one product, on worker w's scratch. */
  void multiplyTiles(int w, Product pr, int t0, int t1) {
    int M = pr.M(), n = pr.n(), K = pr.K();
    float[] bp = pr.bp(), c = pr.c(), bias = pr.bias();
    int cOff = pr.cOff(), ldc = pr.ldc(), biasOff = pr.biasOff();
    float[] ap = aPack[w];
    float[] tile = edgeTile[w];
    int nPanels = panels(n);
    for (int ic = t0; ic < t1; ic += MC_TILES) {
      int icEnd = Math.min(t1, ic + MC_TILES);
      for (int pc = 0; pc < K; pc += KC) {
        int kc = Math.min(KC, K - pc);
        packA(pr.a(), M, ic, icEnd, pc, kc, ap);
        boolean loadC = pr.accumulate() || pc > 0;
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

  /**
   * One row tile without blocking, for small products (attention heads):
   * {@code C[r0 .. r0+rows) (+)= A[r0 .. r0+rows, k0 .. k1) B[k0 .. k1, 0 .. n)}, with
   * A(i,k) = a[aOff + i*rs + k*cs] (rs or cs is 1), B packed with K rows per panel,
   * C(i,j) = c[cOff + i*ldc + j]. ap needs MR*(k1-k0) floats, tile MR*NR.
   */
  static void rowTile(float[] a, int aOff, int rs, int cs, int r0, int rows, int k0, int k1, float[] bp, int K,
      int n, float[] c, int cOff, int ldc, boolean accumulate, float[] ap, float[] tile) {
    int kc = k1 - k0;
    int nPanels = panels(n);
    if (rows == MR && (rs * cs) % ALIASING_STRIDE != 0) {
      // Full tile: read A in place. Packing would cost as much as the product here, each A
      // element being used for only n / NR panels; but A rows 4 KiB apart (T = 1024 attention
      // rows) alias in L1 and run 2x slower in place, so those are packed.
      int a0 = aOff + r0 * rs + k0 * cs;
      for (int p = 0; p < nPanels; p++) {
        int cols = Math.min(NR, n - p * NR);
        int bi = (p * K + k0) * NR;
        int ci = cOff + r0 * ldc + p * NR;
        if (cols == NR) {
          kernelDirect(a, a0, rs, cs, bp, bi, kc, c, ci, ldc, accumulate);
        } else {
          packTile(a, a0, rs, cs, rows, kc, ap);
          edge(ap, 0, bp, bi, kc, c, ci, ldc, rows, cols, accumulate, null, 0, tile);
        }
      }
      return;
    }
    packTile(a, aOff + r0 * rs + k0 * cs, rs, cs, rows, kc, ap);
    for (int p = 0; p < nPanels; p++) {
      int cols = Math.min(NR, n - p * NR);
      edge(ap, 0, bp, (p * K + k0) * NR, kc, c, cOff + r0 * ldc + p * NR, ldc, rows, cols, accumulate, null, 0, tile);
    }
  }

  /** ap (kc, MR) = A[0 .. rows, 0 .. kc) with A(i,k) = a[a0 + i*rs + k*cs]; rows past `rows` are 0. */
  private static void packTile(float[] a, int a0, int rs, int cs, int rows, int kc, float[] ap) {
    for (int k = 0; k < kc; k++) {
      for (int r = 0; r < MR; r++) ap[k * MR + r] = r < rows ? a[a0 + r * rs + k * cs] : 0f;
    }
  }

  /**
   * The micro-kernel reading A in place, A(i,k) = a[ai + i*rs + k*cs] (rs or cs is 1): about
   * 70% of the packed kernel's speed (index arithmetic and bounds checks per broadcast), used
   * where A is touched too few times to repay packing.
   */
  static void kernelDirect(float[] a, int ai, int rs, int cs, float[] bp, int bi, int kc, float[] c, int ci,
      int ldc, boolean loadC) {
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
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    c10.intoArray(c, ci + ldc);
    c11.intoArray(c, ci + ldc + L);
    c20.intoArray(c, ci + 2 * ldc);
    c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc);
    c31.intoArray(c, ci + 3 * ldc + L);
  }

  /** Packs rows [ic*MR, icEnd*MR) x k [pc, pc+kc) of A into MR-row tiles, zero past row M. */
  private static void packA(Operand op, int M, int ic, int icEnd, int pc, int kc, float[] ap) {
    float[] a = op.a();
    int rs = op.rowStride(), cs = op.colStride();
    if (cs == 1) {
      // A rows contiguous in k (an input or dout row): four row streams in, one stream out.
      for (int t = ic; t < icEnd; t++) {
        int dst = (t - ic) * kc * MR;
        int i0 = t * MR;
        if (i0 + MR <= M) {
          int s0 = op.off() + i0 * rs + pc, s1 = s0 + rs, s2 = s1 + rs, s3 = s2 + rs;
          for (int k = 0; k < kc; k++) {
            int d = dst + k * MR;
            ap[d] = a[s0 + k];
            ap[d + 1] = a[s1 + k];
            ap[d + 2] = a[s2 + k];
            ap[d + 3] = a[s3 + k];
          }
        } else {
          for (int r = 0; r < MR; r++) {
            int src = op.off() + (i0 + r) * rs + pc;
            for (int k = 0; k < kc; k++) ap[dst + k * MR + r] = i0 + r < M ? a[src + k] : 0f;
          }
        }
      }
    } else {
      // A = dout^T (rs = 1): the MR rows of one tile at one k are MR contiguous floats, one
      // 128-bit copy (MR = 4). Groups of 4 tiles share a cache line per k: the line is read
      // once and the 4 tiles are written sequentially (k inner; k outer would write with a
      // 4 KiB stride and suffer 4K aliasing).
      int tiles = icEnd - ic;
      int fullTiles = Math.min(tiles, (M - ic * MR) / MR);
      int tileStride = kc * MR;
      int base = op.off() + ic * MR + pc * cs;
      final int group = 4;
      for (int t0 = 0; t0 < fullTiles; t0 += group) {
        int t1 = Math.min(fullTiles, t0 + group);
        for (int k = 0; k < kc; k++) {
          int src = base + k * cs;
          for (int t = t0; t < t1; t++) {
            FloatVector.fromArray(QUAD, a, src + t * MR).intoArray(ap, t * tileStride + k * MR);
          }
        }
      }
      for (int t = fullTiles; t < tiles; t++) {
        for (int k = 0; k < kc; k++) {
          for (int r = 0; r < MR; r++) {
            int i = (ic + t) * MR + r;
            ap[t * tileStride + k * MR + r] = i < M ? a[base + k * cs + t * MR + r] : 0f;
          }
        }
      }
    }
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
