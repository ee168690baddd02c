package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The blocked matrix multiply behind every matmul kernel: {@code C (M,NC) (+)= A (M,K) B (K,NC)}
 * with B pre-packed, in the BLIS layout:
 * <ul>
 *   <li>B is packed ({@link Packing}) into column panels of {@link #NR} columns (zero-padded), each panel K rows
 *       of NR contiguous floats: {@code bp[(panel*K + k)*NR + j]};
 *   <li>each worker packs its own row block of A (MC rows, KC deep) into tiles of {@link #MR}
 *       rows, each KC steps of MR contiguous floats, zero-padded past the last row;
 *   <li>the register-blocked micro-kernel ({@link MicroKernel}) multiplies one MR x NR tile: 2 * MR vector accumulators
 *       (MR rows x 2 vectors), per k two vector loads of B and MR broadcasts of A.
 * </ul>
 * Loop order per chunk of row tiles: row block (L2-resident A) -> K block -> column panel
 * (L1-resident B panel) -> row tile. Each row tile of C is computed by one worker: one writer
 * per output element, and the same summation order whatever the thread count.
 */
final class Gemm {
  /**
   * Rows of the register tile, per vector width: enough accumulators (2 * MR vectors) to hide
   * the FMA latency with room to spare, without spilling. 16 lanes (AVX-512, 32 registers):
   * 8 rows, 16 accumulators + 2 B vectors + 1 broadcast. 8 lanes (AVX2, 16 registers): 6 rows,
   * 12 + 3 = 15 registers. Measured at 1 thread on Zen 5 against the 4-row tile: +10-20% at
   * 512 bits (8 accumulators are exactly latency x pipes there, and any load or loop overhead
   * stalls them), +8-12% at 256 bits, where the 6-row tile reaches the 256-bit FMA peak.
   * Other widths (NEON's 4 lanes) keep 4 rows.
   */
  static final int MR = L >= 16 ? 8 : L == 8 ? 6 : 4;
  /** Floats in 4 KiB: operand strides that are multiples of it alias in L1. */
  private static final int ALIASING_STRIDE = 1024;
  /** Columns of the register tile: two vectors. */
  static final int NR = 2 * L;
  /** Depth of a K block: an MR x KC A tile plus a KC x NR B panel stay in L1/L2. */
  static final int KC = 256;
  /** Row tiles per row block: MC = 24 * MR = 96 to 192 rows, an A block of 96-192 KB at KC = 256 (in L2). */
  static final int MC_TILES = 24;

  /**
   * A (M,K) element (i,k) is a[off + i*rowStride + k*colStride]: covers A, A^T and row-strided
   * views. Mutable, like {@link Product}.
   */
  static final class Operand {
    private float[] a;
    private int off, rowStride, colStride;

    Operand set(float[] a, int off, int rowStride, int colStride) {
      if (rowStride != 1 && colStride != 1) throw new IllegalArgumentException("one operand stride must be 1");
      this.a = a;
      this.off = off;
      this.rowStride = rowStride;
      this.colStride = colStride;
      return this;
    }

    float[] a() {
      return a;
    }

    int off() {
      return off;
    }

    int rowStride() {
      return rowStride;
    }

    int colStride() {
      return colStride;
    }
  }

  private final WorkerPool pool;
  private final AtomicInteger nextTile = new AtomicInteger();
  /** The products of the running call, and their row tiles in all. */
  private final Product[] products = new Product[2];
  private int productCount, totalTiles;
  private final WorkerPool.Task tiles = this::takeTiles;
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

  /**
   * One product {@code C (M,n) = [C +] A (M,K) B (K,n) [+ bias (n)]} with B packed in bp;
   * C(i,j) is c[cOff + i*ldc + j]. accumulate: add into C; otherwise overwrite C (plus bias
   * when not null). Mutable: a caller keeps one per role and refills it with {@link #set} on
   * every call, so a matmul allocates nothing inside a training step.
   */
  static final class Product {
    private int M, n, K, cOff, ldc, biasOff;
    private final Operand a = new Operand();
    private float[] bp, c, bias;
    private boolean accumulate;
    /** Applied to each finished row block of C; x is its other operand, laid out as C (x[xOff + i*ldc + j]). */
    private GemmEpilogue epilogue = GemmEpilogue.NONE;
    private float[] x;
    private int xOff;

    Product set(int M, int n, int K, float[] a, int aOff, int aRowStride, int aColStride, float[] bp, float[] c,
        int cOff, int ldc, boolean accumulate, float[] bias, int biasOff) {
      this.M = M;
      this.n = n;
      this.K = K;
      this.a.set(a, aOff, aRowStride, aColStride);
      this.bp = bp;
      this.c = c;
      this.cOff = cOff;
      this.ldc = ldc;
      this.accumulate = accumulate;
      this.bias = bias;
      this.biasOff = biasOff;
      this.epilogue = GemmEpilogue.NONE;
      this.x = null;
      this.xOff = 0;
      return this;
    }

    /**
     * Sets the epilogue applied to each row block of C once its last K block is done (call after
     * {@link #set}, which clears it): x (M,n) at xOff, row stride ldc, is GELU's output for
     * {@link GemmEpilogue#GELU} and its input for {@link GemmEpilogue#GELU_GRADIENT}.
     */
    Product then(GemmEpilogue epilogue, float[] x, int xOff) {
      this.epilogue = epilogue;
      this.x = x;
      this.xOff = xOff;
      return this;
    }

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
  void run(Product product) {
    products[0] = product;
    productCount = 1;
    runQueued();
  }

  /** Both products, their row tiles shared out together (one fork for the two). */
  void run(Product first, Product second) {
    products[0] = first;
    products[1] = second;
    productCount = 2;
    runQueued();
  }

  private void runQueued() {
    int total = 0;
    for (int i = 0; i < productCount; i++) total += products[i].tiles();
    totalTiles = total;
    nextTile.set(0);
    pool.run(tiles);
    products[0] = products[1] = null;
  }

  // on worker w of ws: take chunks of row tiles until none are left
  private void takeTiles(int w, int ws) {
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
  }

  /** Row tiles [t0, t1) of one product, on worker w's scratch. */
  void multiplyTiles(int w, Product pr, int t0, int t1) {
    int M = pr.M, n = pr.n, K = pr.K;
    float[] bp = pr.bp, c = pr.c, bias = pr.bias;
    int cOff = pr.cOff, ldc = pr.ldc, biasOff = pr.biasOff;
    float[] ap = aPack[w];
    float[] tile = edgeTile[w];
    int nPanels = panels(n);
    for (int ic = t0; ic < t1; ic += MC_TILES) {
      int icEnd = Math.min(t1, ic + MC_TILES);
      for (int pc = 0; pc < K; pc += KC) {
        int kc = Math.min(KC, K - pc);
        Packing.packA(pr.a, M, ic, icEnd, pc, kc, ap);
        boolean loadC = pr.accumulate || pc > 0;
        float[] initBias = loadC ? null : bias;
        GemmEpilogue epilogue = pc + kc == K ? pr.epilogue : GemmEpilogue.NONE;
        for (int p = 0; p < nPanels; p++) {
          int cols = Math.min(NR, n - p * NR);
          int bi = (p * K + pc) * NR;
          for (int t = ic; t < icEnd; t++) {
            int rows = Math.min(MR, M - t * MR);
            int ai = (t - ic) * kc * MR;
            int ci = cOff + t * MR * ldc + p * NR;
            if (rows == MR && cols == NR) {
              MicroKernel.packed(ap, ai, bp, bi, kc, c, ci, ldc, loadC, initBias, biasOff + p * NR);
            } else {
              MicroKernel.edge(ap, ai, bp, bi, kc, c, ci, ldc, rows, cols, loadC, initBias, biasOff + p * NR, tile);
            }
          }
        }
        // The epilogue on the row block's finished rows, now in L2, row by row: long rows stream
        // well. On each tile as the micro-kernel left it (in L1), 8 rows of 2 vectors each, GELU's
        // gradient ran 6-12% slower than as an op of its own (its input read in short strided pieces).
        if (epilogue != GemmEpilogue.NONE) {
          int r0 = ic * MR, r1 = Math.min(M, icEnd * MR);
          epilogue.apply(c, cOff + r0 * ldc, pr.x, pr.xOff + r0 * ldc, ldc, r1 - r0, n);
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
          MicroKernel.direct(a, a0, rs, cs, bp, bi, kc, c, ci, ldc, accumulate);
        } else {
          Packing.packTile(a, a0, rs, cs, rows, kc, ap);
          MicroKernel.edge(ap, 0, bp, bi, kc, c, ci, ldc, rows, cols, accumulate, null, 0, tile);
        }
      }
      return;
    }
    Packing.packTile(a, aOff + r0 * rs + k0 * cs, rs, cs, rows, kc, ap);
    for (int p = 0; p < nPanels; p++) {
      int cols = Math.min(NR, n - p * NR);
      MicroKernel.edge(ap, 0, bp, (p * K + k0) * NR, kc, c, cOff + r0 * ldc + p * NR, ldc, rows, cols, accumulate, null, 0, tile);
    }
  }

}
