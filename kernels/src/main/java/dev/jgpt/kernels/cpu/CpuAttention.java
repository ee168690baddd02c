package dev.jgpt.kernels.cpu;

/**
 * Causal self-attention on all cores. Work is split over the B*NH (batch, head) pairs: a pair
 * owns its att rows, its out channels and, in the backward pass, its q, k, v gradient channels,
 * so every output element has one writer and the result does not depend on the thread count.
 * Each part owns the pairs of a contiguous range of sequences ({@link OwnedShares}): the same
 * rows as its share of the matmuls before and after, and the same pairs in the forward and the
 * backward pass, so qkv, att and the gradients stay in that core's cache. Per pair the four
 * products (scores = q k^T, out = att v; and in the backward pass datt = dout v^T, dq = dpre k,
 * dk = dpre^T q, dv = att^T dout) run on the matmul micro-kernel ({@link Gemm#rowTile}) over one row
 * tile at a time, skipping the tiles above the causal diagonal.
 */
final class CpuAttention {
  private final WorkerPool pool;
  /** Each part's share of the (batch, head) pairs. */
  private final OwnedShares shares;
  /** Per worker: packed operands of one (b,h) and its (T,T) dpre matrix; grown per shape. */
  private final float[][] packedA, packedB, packedC, packedD, square, aTile, edgeTile;
  // One argument record per op, refilled per call (a call allocates nothing; see CpuPointwise),
  // and the pair loops that read them, made once.
  private final Forward forwardArgs = new Forward();
  private final Backward backwardArgs = new Backward();
  private final PairBody<Forward> forwardPair = this::forwardPair;
  private final PairBody<Backward> backwardPair = this::backwardPair;
  private final WorkerPool.TaskWith<Forward> forwardPairs = (a, w, ws) -> takePairs(a, w, ws, forwardPair);
  private final WorkerPool.TaskWith<Backward> backwardPairs = (a, w, ws) -> takePairs(a, w, ws, backwardPair);
  /** Per worker: one row tile's softmax scratch ({@link CausalSoftmax#scratchSize}); (MR) dot products in its backward pass. */
  private final float[][] rowSums;

  CpuAttention(WorkerPool pool) {
    this.pool = pool;
    int w = pool.capacity();
    shares = new OwnedShares(w, 1);
    packedA = new float[w][0];
    packedB = new float[w][0];
    packedC = new float[w][0];
    packedD = new float[w][0];
    square = new float[w][0];
    aTile = new float[w][0];
    edgeTile = new float[w][Gemm.MR * Gemm.NR];
    rowSums = new float[w][CausalSoftmax.scratchSize(Gemm.MR)];
  }

  /** Grows the per-worker scratch for (T, hs); allocates only when a shape is larger than before. */
  private void ensureScratch(int T, int hs, boolean backward) {
    int transposed = transposedSize(T, hs), rows = rowsSize(T, hs), tile = tileSize(T, hs);
    for (int w = 0; w < packedA.length; w++) {
      if (packedA[w].length < transposed) packedA[w] = new float[transposed];
      if (packedB[w].length < rows) packedB[w] = new float[rows];
      if (aTile[w].length < tile) aTile[w] = new float[tile];
      if (backward) {
        if (packedC[w].length < rows) packedC[w] = new float[rows];
        if (packedD[w].length < rows) packedD[w] = new float[rows];
        if (square[w].length < T * T) square[w] = new float[T * T];
      }
    }
  }

  /**
   * Floats of scratch {@link #ensureScratch} leaves after a forward and a backward pass over
   * (T, hs), all workers together: what a memory estimate counts before the first step.
   */
  long scratchFloats(int T, int hs) {
    long perWorker = transposedSize(T, hs) + 3L * rowsSize(T, hs) + tileSize(T, hs) + (long) T * T;
    return perWorker * packedA.length;
  }

  // sizes of one worker's scratch arrays for (T, hs): packed k^T (hs,T), packed rows (T,hs), an A tile
  private static int transposedSize(int T, int hs) {
    return (int) Gemm.packedSize(hs, T);
  }

  private static int rowsSize(int T, int hs) {
    return (int) Gemm.packedSize(T, hs);
  }

  private static int tileSize(int T, int hs) {
    return Gemm.MR * Math.max(T, hs);
  }

  /**
   * The shape of one attention call: B*NH (batch, head) pairs, T positions, C channels in NH heads
   * of hs, scores scaled by 1/sqrt(hs).
   */
  private static class Shape {
    int T, C, NH, hs, pairs;
    float scale;

    void setShape(int B, int T, int C, int NH) {
      this.pairs = B * NH;
      this.T = T;
      this.C = C;
      this.NH = NH;
      this.hs = C / NH;
      this.scale = (float) (1.0 / Math.sqrt(hs));
    }
  }

  /** attentionForward's arguments: out (B,T,C), att (B,NH,T,T), qkv (B,T,3C), each with its offset. */
  private static final class Forward extends Shape {
    float[] out, att, qkv;
    int outo, atto, qkvo;

    Forward set(float[] out, int outo, float[] att, int atto, float[] qkv, int qkvo, int B, int T, int C, int NH) {
      this.out = out;
      this.outo = outo;
      this.att = att;
      this.atto = atto;
      this.qkv = qkv;
      this.qkvo = qkvo;
      setShape(B, T, C, NH);
      return this;
    }
  }

  // out (B,T,C), att (B,NH,T,T); qkv (B,T,3C)
  void forward(float[] out, int outo, float[] att, int atto, float[] qkv, int qkvo, int B, int T, int C, int NH) {
    Forward args = forwardArgs.set(out, outo, att, atto, qkv, qkvo, B, T, C, NH);
    ensureScratch(T, args.hs, false);
    resetShares(B, NH);
    pool.run(args, forwardPairs);
  }

  // pair bh = (b,h) of the forward pass, on worker w's scratch
  private void forwardPair(Forward a, int w, int bh) {
    float[] out = a.out, att = a.att, qkv = a.qkv;
    int T = a.T, C = a.C, hs = a.hs;
    float scale = a.scale;
    int b = pairBatch(bh, a.NH), h = pairHead(bh, a.NH);
    int q = a.qkvo + b * T * 3 * C + h * hs; // row t of q at q + t*3C; k and v C and 2C further
    int at = a.atto + (b * a.NH + h) * T * T;
    int o = a.outo + b * T * C + h * hs;
    float[] kT = packedA[w], v = packedB[w], ap = aTile[w], tile = edgeTile[w];
    Packing.packTransposed(qkv, q + C, 3 * C, T, hs, kT, 0, Gemm.panels(T)); // B = k^T (hs,T)
    Packing.packRows(qkv, q + 2 * C, 3 * C, hs, T, v, 0, Gemm.panels(hs)); // B = v (T,hs)
    for (int t0 = 0; t0 < T; t0 += Gemm.MR) {
      int rows = Math.min(Gemm.MR, T - t0), kEnd = t0 + rows; // columns past kEnd are above the diagonal
      Gemm.rowTile(qkv, q, 3 * C, 1, t0, rows, 0, hs, kT, hs, wholePanels(kEnd, T), att, at, T, false, ap, tile);
      CausalSoftmax.rows(att, at + t0 * T, t0 + 1, rows, T, scale, rowSums[w]);
      Gemm.rowTile(att, at, T, 1, t0, rows, 0, kEnd, v, T, hs, out, o, C, false, ap, tile);
    }
  }

  /**
   * attentionBackward's arguments: dqkv (B,T,3C) =; dout (B,T,C), qkv (B,T,3C), att (B,NH,T,T),
   * each with its offset.
   */
  private static final class Backward extends Shape {
    float[] dqkv, dout, qkv, att;
    int dqkvo, douto, qkvo, atto;

    Backward set(float[] dqkv, int dqkvo, float[] dout, int douto, float[] qkv, int qkvo, float[] att, int atto, int B,
        int T, int C, int NH) {
      this.dqkv = dqkv;
      this.dqkvo = dqkvo;
      this.dout = dout;
      this.douto = douto;
      this.qkv = qkv;
      this.qkvo = qkvo;
      this.att = att;
      this.atto = atto;
      setShape(B, T, C, NH);
      return this;
    }
  }

  // dqkv (B,T,3C) = (written: each pair writes its head's dq, dk, dv channels); dout (B,T,C), qkv (B,T,3C),
  // att (B,NH,T,T)
  void backward(float[] dqkv, int dqkvo, float[] dout, int douto, float[] qkv, int qkvo, float[] att, int atto,
      int B, int T, int C, int NH) {
    Backward args = backwardArgs.set(dqkv, dqkvo, dout, douto, qkv, qkvo, att, atto, B, T, C, NH);
    ensureScratch(T, args.hs, true);
    resetShares(B, NH);
    pool.run(args, backwardPairs);
  }

  /** One (b,h) pair's work, on worker w's scratch. */
  @FunctionalInterface
  private interface PairBody<A> {
    void run(A args, int w, int bh);
  }

  /** On part w: its share of the (b,h) pairs, then what is left of the others'. */
  private <A extends Shape> void takePairs(A a, int w, int ws, PairBody<A> body) {
    for (int d = 0; d < ws; d++) {
      int v = (w + d) % ws, end = shareStart(a.pairs / a.NH, a.NH, v + 1, ws);
      for (long c = shares.claim(0, v, end, 1, 1, d > 0); c >= 0; c = shares.claim(0, v, end, 1, 1, d > 0)) {
        body.run(a, w, OwnedShares.first(c));
      }
    }
  }

  private void resetShares(int B, int NH) {
    int ws = pool.parts();
    for (int w = 0; w < ws; w++) shares.reset(0, w, shareStart(B, NH, w, ws));
  }

  /**
   * First pair of part w's share, pairs in batch-major order: whole sequences per part where there
   * are at least as many as parts (two parts on heads h and h+1 of one sequence write the two
   * halves of a cache line at every row's head boundary, hs = 32 being 128 bytes and the rows not
   * line-aligned: the lines bounce between the cores), else an equal split of the pairs.
   */
  private static int shareStart(int B, int NH, int w, int ws) {
    return B >= ws ? WorkerPool.split(B, w, ws) * NH : WorkerPool.split(B * NH, w, ws);
  }

  // pair bh = (b,h) of the backward pass, on worker w's scratch
  private void backwardPair(Backward a, int w, int bh) {
    float[] dout = a.dout, att = a.att, qkv = a.qkv, dqkv = a.dqkv;
    int T = a.T, C = a.C, hs = a.hs;
    float scale = a.scale;
    int b = pairBatch(bh, a.NH), h = pairHead(bh, a.NH);
    int q = a.qkvo + b * T * 3 * C + h * hs, dq = a.dqkvo + b * T * 3 * C + h * hs;
    int d = a.douto + b * T * C + h * hs;
    int at = a.atto + (b * a.NH + h) * T * T;
    float[] vT = packedA[w], k = packedB[w], qRows = packedC[w], doutRows = packedD[w];
    float[] dpre = square[w], ap = aTile[w], tile = edgeTile[w];
    if (h == 0 && sequenceFloats(T, C, a.NH) <= TOUCHED_FLOATS_MAX) {
      // A sequence's first head reads its rows in order first: the backward pass finds them in
      // memory (written in the forward pass), and each head then reads them in short strided
      // pieces that the hardware prefetcher does not follow. nanoGPT recipe, 2 threads, 4
      // alternating pairs: attention backward 1.50-1.77 -> 1.08-1.59 ms a step (the forward,
      // whose qkv the matmul before it has just written, gained nothing: not done there).
      float[] sink = rowSums[w]; // scratch, overwritten by the softmax rows below
      touch(qkv, a.qkvo + b * T * 3 * C, T * 3 * C, sink);
      touch(dout, a.douto + b * T * C, T * C, sink);
      touch(att, a.atto + b * a.NH * T * T, a.NH * T * T, sink);
    }
    Packing.packTransposed(qkv, q + 2 * C, 3 * C, T, hs, vT, 0, Gemm.panels(T)); // B = v^T (hs,T)
    Packing.packRows(qkv, q + C, 3 * C, hs, T, k, 0, Gemm.panels(hs)); // B = k (T,hs)
    Packing.packRows(qkv, q, 3 * C, hs, T, qRows, 0, Gemm.panels(hs)); // B = q (T,hs)
    Packing.packRows(dout, d, C, hs, T, doutRows, 0, Gemm.panels(hs)); // B = dout (T,hs)
    for (int t0 = 0; t0 < T; t0 += Gemm.MR) {
      int rows = Math.min(Gemm.MR, T - t0), kEnd = t0 + rows;
      // datt = dout v^T; then dpre = att * (datt - sum(att * datt)) * scale, zero above the diagonal
      Gemm.rowTile(dout, d, C, 1, t0, rows, 0, hs, vT, hs, wholePanels(kEnd, T), dpre, 0, T, false, ap, tile);
      CausalSoftmax.backwardRows(att, at + t0 * T, dpre, t0 * T, t0 + 1, rows, T, scale, rowSums[w]);
      Gemm.rowTile(dpre, 0, T, 1, t0, rows, 0, kEnd, k, T, hs, dqkv, dq, 3 * C, false, ap, tile); // dq = dpre k
    }
    // Key rows s: only queries t >= s attend to them, so the products start at k = s0. Each of the
    // three products runs over its whole K range in one rowTile call, so it writes its rows.
    for (int s0 = 0; s0 < T; s0 += Gemm.MR) {
      int rows = Math.min(Gemm.MR, T - s0);
      // dk = dpre^T q, dv = att^T dout
      Gemm.rowTile(dpre, 0, 1, T, s0, rows, s0, T, qRows, T, hs, dqkv, dq + C, 3 * C, false, ap, tile);
      Gemm.rowTile(att, at, 1, T, s0, rows, s0, T, doutRows, T, hs, dqkv, dq + 2 * C, 3 * C, false, ap, tile);
    }
  }

  /**
   * Floats of a sequence's qkv, dout and att up to which the backward pass reads them in order
   * first (256 KB, a quarter of a core's L2 on Zen 4 and 5): larger ones would leave L2 before the
   * heads read them (GPT-2 124M's shape, 960 KB a sequence: attention backward 7.2 / 9.8 -> 7.8 /
   * 13.8 ms a step when read first).
   */
  private static final long TOUCHED_FLOATS_MAX = 1L << 16;

  // floats of one sequence's qkv (T,3C), dout (T,C) and att (NH,T,T)
  private static long sequenceFloats(int T, int C, int NH) {
    return 4L * T * C + (long) NH * T * T;
  }

  /** Floats in a 64-byte cache line. */
  private static final int LINE_FLOATS = 16;

  // reads one float of every cache line of x[from, from + n) in order (a stream the prefetcher
  // follows); the sum goes to sink[0] so that the reads are not left out
  private static void touch(float[] x, int from, int n, float[] sink) {
    float s = 0f;
    for (int i = from; i < from + n; i += LINE_FLOATS) s += x[i];
    sink[0] = s;
  }

  /** The batch row of pair bh, pairs in batch-major order. */
  private static int pairBatch(int bh, int NH) {
    return bh / NH;
  }

  /** The head of pair bh. */
  private static int pairHead(int bh, int NH) {
    return bh % NH;
  }

  /**
   * Columns to compute for a row tile whose causal columns end at kEnd: up to the end of the
   * last panel (within T), so no panel takes the ragged-edge path; the extra columns lie above
   * the diagonal and are overwritten with zeros right after.
   */
  private static int wholePanels(int kEnd, int T) {
    return Math.min(T, Gemm.panels(kEnd) * Gemm.NR);
  }
}
