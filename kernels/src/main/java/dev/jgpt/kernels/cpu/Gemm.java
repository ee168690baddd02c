package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;

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
   * Rows of the register tile, per vector width and register count ({@link VectorRegisters}):
   * enough accumulators (2 * MR vectors) to hide the FMA latency, without spilling. 16 lanes
   * (AVX-512, 32 registers): 8 rows, 16 accumulators + 2 B vectors + 1 broadcast. 8 lanes with 32
   * registers (AVX-512 at 256 bits, SVE-256): 6 rows, 12 + 3. Measured at 1 thread on Zen 5
   * against the 4-row tile: +10-20% at 512 bits (8 accumulators are exactly latency x pipes
   * there, and any load or loop overhead stalls them), +8-12% at 256 bits. 8 lanes with AVX2's 16
   * registers: 4 rows. The 6-row tile's 15 registers leave C2 none to spare and it spills: on the
   * same core limited to AVX2 (-XX:UseAVX=2) it ran the nanoGPT recipe's matmuls at 40-44% of
   * the FMA peak, the 4-row tile at 80-92%. Other widths (NEON's 4 lanes) keep 4 rows.
   */
  static final int MR = L >= 16 ? 8 : L == 8 && VectorRegisters.COUNT >= 32 ? 6 : 4;
  /** Floats in 4 KiB: operand strides that are multiples of it alias in L1. */
  private static final int ALIASING_STRIDE = 1024;
  /** Columns of the register tile: two vectors. */
  static final int NR = 2 * L;
  /** Depth of a K block: an MR x KC A tile plus a KC x NR B panel stay in L1/L2. */
  static final int KC = 256;
  /** Row tiles per row block: MC = 24 * MR = 96 to 192 rows, an A block of 96-192 KB at KC = 256 (in L2). */
  static final int MC_TILES = 24;
  /**
   * The smallest block a part claims of its own share: its claims halve toward the end of the
   * share (24, 12, 6, 3, 2 of 48 tiles), so a part that finishes first can take the other's
   * last rows in small pieces. With whole blocks of MC_TILES a part that fell behind (its core
   * taken by another process, by the JIT compiler) held half of its share claimed, and the other
   * waited for it: nanoGPT shape, 2 threads, the caller waited 5-8% of a training step for the
   * worker in steady state (measured at each fork, three runs), 2-6% with these claims.
   */
  static final int OWNER_TILES = 2;
  /**
   * Floats of B (K x n) up to which a part's claims shrink ({@link #OWNER_TILES}): 1 MB, a core's
   * L2 on Zen 4 and 5. Each row block reads all of B again; a larger B comes from L3 or memory
   * each time, and smaller blocks would multiply that traffic (GPT-2 124M's vocabulary head, 154 MB
   * packed, 1 round of 6 steps at B=4, T=64: 1,132 ms a step with shrinking claims against 836).
   */
  static final long SHRINKING_CLAIMS_MAX_B = 1L << 18;

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
  /** Each part's share of each product's row tiles: part w owns the tiles [share(w), share(w + 1)) of product i. */
  private final OwnedShares shares;
  /**
   * (threads, 2) the running call's products, as each part sees them: the same two objects in
   * every row when the parts share their B operands; each part's own copies (its own packed B)
   * otherwise.
   */
  private final Product[][] partProducts;
  private int productCount;
  /** Product i is split by columns: each part's copy is a whole product of its own columns, which no other part takes. */
  private final boolean[] byColumns = new boolean[2];
  /** Run by each part before it takes tiles (packs its own B operands), or null. */
  private PartSetup setup;
  private final WorkerPool.Task tiles = this::takeTiles;

  /** Prepares part w of ws of a call to {@link #runParts}: packs the B operands of its products. */
  @FunctionalInterface
  interface PartSetup {
    void prepare(int w, int ws);
  }

  /** Per worker: its packed A block and an MR x NR tile for ragged edges. */
  private final float[][] aPack;
  private final float[][] edgeTile;

  Gemm(WorkerPool pool) {
    this.pool = pool;
    int w = pool.capacity();
    shares = new OwnedShares(w, 2);
    partProducts = new Product[w][2];
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
   * Computes the products on all workers. Each part owns an equal contiguous share of each
   * product's row tiles and claims them in blocks of at most {@link #MC_TILES}, smaller toward
   * the end ({@link #OWNER_TILES}): the same rows as the row ops before and after (layer norm,
   * GELU, residual) split them, so a row's activations stay in that core's cache from op to op,
   * and each block reuses the packed B panels from L1. A part that finishes its shares takes half
   * of what is left of the others' in turn (a worker slowed by another process then simply does
   * less). Which part computes a tile never changes its result.
   */
  void run(Product product) {
    run(product, null);
  }

  /** Both products (second may be null), their row tiles shared out together (one fork for the two). */
  void run(Product first, Product second) {
    for (Product[] row : partProducts) {
      row[0] = first;
      row[1] = second;
    }
    byColumns[0] = byColumns[1] = false;
    runQueued(second == null ? 1 : 2, null);
  }

  /**
   * Products whose B operand each part packs for itself, so that no packed panel crosses from
   * one core's cache to the other's: part w's copies are first[w] and second[w] (second null for
   * one product), set by the caller; {@code setup.prepare(w, ws)} packs their B operands before
   * part w takes any tile. A part may take tiles of another part's share of a product split by
   * rows, with its own copy (the same product, B packed in its own buffer); a product split by
   * columns (each part's copy holds only its own columns) is computed whole by its part.
   */
  void runParts(Product[] first, boolean firstByColumns, Product[] second, boolean secondByColumns, PartSetup setup) {
    for (int w = 0; w < partProducts.length; w++) {
      partProducts[w][0] = first[w];
      partProducts[w][1] = second == null ? null : second[w];
    }
    byColumns[0] = firstByColumns;
    byColumns[1] = secondByColumns;
    runQueued(second == null ? 1 : 2, setup);
  }

  private void runQueued(int count, PartSetup partSetup) {
    productCount = count;
    setup = partSetup;
    int ws = pool.parts();
    for (int w = 0; w < ws; w++) {
      for (int i = 0; i < count; i++) shares.reset(i, w, byColumns[i] ? 0 : share(partProducts[w][i], w, ws));
    }
    try {
      pool.run(tiles);
    } finally {
      setup = null;
      for (Product[] row : partProducts) row[0] = row[1] = null;
    }
  }

  /** First row tile of part w's share of product pr (split by rows). */
  private static int share(Product pr, int w, int ws) {
    return WorkerPool.split(pr.tiles(), w, ws);
  }

  // on part w of ws: its own shares in blocks, then half of what remains of each other part's
  private void takeTiles(int w, int ws) {
    if (setup != null) setup.prepare(w, ws);
    for (int i = 0; i < productCount; i++) claim(w, w, i, ws, false);
    for (int d = 1; d < ws; d++) {
      for (int i = 0; i < productCount; i++) {
        if (!byColumns[i]) claim(w, (w + d) % ws, i, ws, true);
      }
    }
  }

  /**
   * The smallest block of row tiles a part claims of its own share of a product whose B holds
   * bFloats: {@link #OWNER_TILES}, or whole blocks of {@link #MC_TILES} where nobody takes from
   * the share (a product split by columns is its part's alone) or where B is larger than a
   * core's L2 (every row block streams all of B again).
   */
  static int smallestOwnClaim(boolean byColumns, long bFloats) {
    return byColumns || bFloats > SHRINKING_CLAIMS_MAX_B ? MC_TILES : OWNER_TILES;
  }

  // part w claims and multiplies blocks of part v's share of product i, with its own copy of the product, until none is left
  private void claim(int w, int v, int i, int ws, boolean stealing) {
    Product pr = partProducts[w][i];
    int end = byColumns[i] ? pr.tiles() : share(pr, v + 1, ws);
    int ownerChunk = smallestOwnClaim(byColumns[i], (long) pr.K * pr.n);
    for (long c = shares.claim(i, v, end, ownerChunk, MC_TILES, stealing); c >= 0;
        c = shares.claim(i, v, end, ownerChunk, MC_TILES, stealing)) {
      multiplyTiles(w, pr, OwnedShares.first(c), OwnedShares.first(c) + OwnedShares.count(c));
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
