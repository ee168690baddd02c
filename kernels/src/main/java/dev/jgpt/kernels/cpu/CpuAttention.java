package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;

/**
 * Causal self-attention on all cores. Work is split over the B*NH (batch, head) pairs, handed
 * out one at a time: a pair owns its att rows, its out channels and, in the backward pass, its
 * q, k, v gradient channels, so every output element has one writer and the result does not
 * depend on the thread count. Per pair the four products (scores = q k^T, out = att v; and in
 * the backward pass datt = dout v^T, dq = dpre k, dk = dpre^T q, dv = att^T dout) run on the
 * matmul micro-kernel ({@link Gemm#rowTile}) over one row tile at a time, skipping the tiles
 * above the causal diagonal.
 */
final class CpuAttention {
  private final WorkerPool pool;
  private final AtomicInteger nextPair = new AtomicInteger();
  /** Per worker: packed operands of one (b,h) and its (T,T) dpre matrix; grown per shape. */
  private final float[][] packedA, packedB, packedC, packedD, square, aTile, edgeTile;
  // One argument record per op, refilled per call (a call allocates nothing; see CpuPointwise),
  // and the pair loops that read them, made once.
  private final Forward forwardArgs = new Forward();
  private final Backward backwardArgs = new Backward();
  private final Decode decodeArgs = new Decode();
  private final WorkerPool.TaskWith<Forward> forwardPairs = this::forwardPairs;
  private final WorkerPool.TaskWith<Backward> backwardPairs = this::backwardPairs;
  private final WorkerPool.TaskWith<Decode> decodeWorker = this::decodeWorker;
  /** Per worker: (L/2, L) partial sums of decode's block scores. */
  private final float[][] blockSums;
  /** Per worker: (MR, L) lane sums of one row tile's softmax; (MR) dot products in its backward pass. */
  private final float[][] rowSums;

  CpuAttention(WorkerPool pool) {
    this.pool = pool;
    int w = pool.threads();
    packedA = new float[w][0];
    packedB = new float[w][0];
    packedC = new float[w][0];
    packedD = new float[w][0];
    square = new float[w][0];
    aTile = new float[w][0];
    edgeTile = new float[w][Gemm.MR * Gemm.NR];
    blockSums = new float[w][L * L / 2];
    rowSums = new float[w][Gemm.MR * L];
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

  /** The shape of one attention call: T positions, C channels in NH heads of hs, scores scaled by 1/sqrt(hs). */
  private static class Shape {
    int T, C, NH, hs;
    float scale;

    void setShape(int T, int C, int NH) {
      this.T = T;
      this.C = C;
      this.NH = NH;
      this.hs = C / NH;
      this.scale = (float) (1.0 / Math.sqrt(hs));
    }
  }

  /** attentionForward's arguments: out (B,T,C), att (B,NH,T,T), qkv (B,T,3C), each with its offset; B*NH pairs. */
  private static final class Forward extends Shape {
    float[] out, att, qkv;
    int outo, atto, qkvo, pairs;

    Forward set(float[] out, int outo, float[] att, int atto, float[] qkv, int qkvo, int B, int T, int C, int NH) {
      this.out = out;
      this.outo = outo;
      this.att = att;
      this.atto = atto;
      this.qkv = qkv;
      this.qkvo = qkvo;
      setShape(T, C, NH);
      this.pairs = B * NH;
      return this;
    }
  }

  // out (B,T,C), att (B,NH,T,T); qkv (B,T,3C)
  void forward(float[] out, int outo, float[] att, int atto, float[] qkv, int qkvo, int B, int T, int C, int NH) {
    Forward args = forwardArgs.set(out, outo, att, atto, qkv, qkvo, B, T, C, NH);
    ensureScratch(T, args.hs, false);
    nextPair.set(0);
    pool.run(args, forwardPairs);
  }

  /** On worker w: forward (b,h) pairs, handed out one at a time. */
  private void forwardPairs(Forward a, int w, int ws) {
    for (int bh = nextPair.getAndIncrement(); bh < a.pairs; bh = nextPair.getAndIncrement()) forwardPair(a, w, bh);
  }

  // pair bh = (b,h) of the forward pass, on worker w's scratch
  private void forwardPair(Forward a, int w, int bh) {
    float[] out = a.out, att = a.att, qkv = a.qkv;
    int T = a.T, C = a.C, hs = a.hs;
    float scale = a.scale;
    int b = pairBatch(bh, a.pairs, a.NH), h = pairHead(bh, a.pairs, a.NH);
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
   * each with its offset; B*NH pairs.
   */
  private static final class Backward extends Shape {
    float[] dqkv, dout, qkv, att;
    int dqkvo, douto, qkvo, atto, pairs;

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
      setShape(T, C, NH);
      this.pairs = B * NH;
      return this;
    }
  }

  // dqkv (B,T,3C) = (written: each pair writes its head's dq, dk, dv channels); dout (B,T,C), qkv (B,T,3C),
  // att (B,NH,T,T)
  void backward(float[] dqkv, int dqkvo, float[] dout, int douto, float[] qkv, int qkvo, float[] att, int atto,
      int B, int T, int C, int NH) {
    Backward args = backwardArgs.set(dqkv, dqkvo, dout, douto, qkv, qkvo, att, atto, B, T, C, NH);
    ensureScratch(T, args.hs, true);
    nextPair.set(0);
    pool.run(args, backwardPairs);
  }

  /** On worker w: backward (b,h) pairs, handed out one at a time. */
  private void backwardPairs(Backward a, int w, int ws) {
    for (int bh = nextPair.getAndIncrement(); bh < a.pairs; bh = nextPair.getAndIncrement()) backwardPair(a, w, bh);
  }

  // pair bh = (b,h) of the backward pass, on worker w's scratch
  private void backwardPair(Backward a, int w, int bh) {
    float[] dout = a.dout, att = a.att, qkv = a.qkv, dqkv = a.dqkv;
    int T = a.T, C = a.C, hs = a.hs;
    float scale = a.scale;
    int b = pairBatch(bh, a.pairs, a.NH), h = pairHead(bh, a.pairs, a.NH);
    int q = a.qkvo + b * T * 3 * C + h * hs, dq = a.dqkvo + b * T * 3 * C + h * hs;
    int d = a.douto + b * T * C + h * hs;
    int at = a.atto + (b * a.NH + h) * T * T;
    float[] vT = packedA[w], k = packedB[w], qRows = packedC[w], doutRows = packedD[w];
    float[] dpre = square[w], ap = aTile[w], tile = edgeTile[w];
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
   * attentionDecode's arguments: out (C), att (NH,maxT), qkv (3C) of position p, kcache and
   * vcache (maxT,C), each with its offset.
   */
  private static final class Decode extends Shape {
    float[] out, att, qkv, kcache, vcache;
    int outo, atto, qkvo, kcacheo, vcacheo, p, maxT;

    Decode set(float[] out, int outo, float[] att, int atto, float[] qkv, int qkvo, float[] kcache, int kcacheo,
        float[] vcache, int vcacheo, int p, int maxT, int C, int NH) {
      this.out = out;
      this.outo = outo;
      this.att = att;
      this.atto = atto;
      this.qkv = qkv;
      this.qkvo = qkvo;
      this.kcache = kcache;
      this.kcacheo = kcacheo;
      this.vcache = vcache;
      this.vcacheo = vcacheo;
      this.p = p;
      this.maxT = maxT;
      setShape(maxT, C, NH);
      return this;
    }
  }

  // out (C), att (NH,maxT); qkv (3C) of position p; kcache, vcache (maxT,C) receive row p
  void decode(float[] out, int outo, float[] att, int atto, float[] qkv, int qkvo, float[] kcache, int kcacheo,
      float[] vcache, int vcacheo, int p, int maxT, int C, int NH) {
    System.arraycopy(qkv, qkvo + C, kcache, kcacheo + p * C, C);
    System.arraycopy(qkv, qkvo + 2 * C, vcache, vcacheo + p * C, C);
    // Heads in parallel once the cache is long enough to be worth a fork.
    Decode args = decodeArgs.set(out, outo, att, atto, qkv, qkvo, kcache, kcacheo, vcache, vcacheo, p, maxT, C, NH);
    if ((p + 1) * (C / NH) >= 8192) {
      pool.run(args, decodeWorker);
    } else {
      decodeWorker(args, 0, 1);
    }
  }

  /** On worker w of ws: its contiguous share of the heads (all of them when the step runs inline). */
  private void decodeWorker(Decode a, int w, int ws) {
    decodeHeads(a, WorkerPool.split(a.NH, w, ws), WorkerPool.split(a.NH, w + 1, ws), blockSums[w]);
  }

  // heads [h0, h1) of a decode step; sums (L/2, L) scratch of the block scores
  private static void decodeHeads(Decode a, int h0, int h1, float[] sums) {
    float[] att = a.att, qkv = a.qkv, kcache = a.kcache;
    int p = a.p, C = a.C, hs = a.hs;
    for (int h = h0; h < h1; h++) {
      int at = a.atto + h * a.maxT, q = a.qkvo + h * hs, k = a.kcacheo + h * hs;
      int t2 = 0;
      if (hs % L == 0 && L >= 4 && L <= 16) {
        for (; t2 + L <= p + 1; t2 += L) blockScores(qkv, q, kcache, k + t2 * C, C, hs, sums, att, at + t2);
      }
      for (; t2 <= p; t2++) att[at + t2] = Dot.dot(qkv, q, kcache, k + t2 * C, hs);
      RowOps.softmaxInPlace(att, at, p + 1, a.scale);
      weightedSum(att, at, p + 1, a.vcache, a.vcacheo + h * hs, C, a.out, a.outo + h * hs, hs);
    }
  }

  // Lane swaps and masks of the transposing sum below: step s pairs lane i with lane i ^ s.
  private static final VectorShuffle<Float> SWAP1 = swap(1), SWAP2 = swap(2), SWAP4 = swap(4), SWAP8 = swap(8);
  private static final VectorMask<Float> HIGH1 = VectorMask.fromLong(S, 0xAAAAL), HIGH2 = VectorMask.fromLong(S, 0xCCCCL),
      HIGH4 = VectorMask.fromLong(S, 0xF0F0L), HIGH8 = VectorMask.fromLong(S, 0xFF00L);

  private static VectorShuffle<Float> swap(int s) {
    return s < L ? VectorShuffle.fromOp(S, i -> i ^ s) : null;
  }

  /**
   * att[ao + j] = q (hs) . key row j for L consecutive cached keys (L, hs) at ko, row stride C.
   * One reduction per position (summing the lanes of q*k one by one) cost more than the
   * products at hs = 64; here the L product vectors are summed into one vector by log2(L)
   * halving steps (a transpose and add), about five vector ops per position, through sums
   * (L/2, L) in L1. Each step is its own loop so that no vector crosses a call C2 might not
   * inline (a boxed vector per call). Needs hs % L == 0 and L in {4, 8, 16}; the order of the
   * additions is fixed, so results do not depend on timing or threads.
   */
  private static void blockScores(float[] q, int qo, float[] k, int ko, int C, int hs, float[] sums, float[] att,
      int ao) {
    for (int j = 0; j < L / 2; j++) pairProducts(q, qo, k, ko + 2 * j * C, C, hs, sums, j * L);
    for (int j = 0; j < L / 4; j++) halvePair(sums, j, SWAP2, HIGH2);
    if (L >= 8) {
      for (int j = 0; j < L / 8; j++) halvePair(sums, j, SWAP4, HIGH4);
    }
    if (L >= 16) halvePair(sums, 0, SWAP8, HIGH8);
    System.arraycopy(sums, 0, att, ao, L);
  }

  /**
   * sums[so .. so+L) = the first halving step over the lane products of q (hs) with key rows ko
   * and ko + C: lanes with bit 1 clear take a[i] + a[i ^ 1] of the first row's products a, those
   * with it set b[i ^ 1] + b[i] of the second's. Steps s = 2, 4 .. L/2 ({@link #halvePair}) do
   * the same with lanes i ^ s, after which lane j holds the sum of all lanes of vector j. Vectors
   * stay inside one method (none is passed or returned), so nothing is boxed if C2 does not inline.
   */
  private static void pairProducts(float[] q, int qo, float[] k, int ko, int C, int hs, float[] sums, int so) {
    FloatVector qv = FloatVector.fromArray(S, q, qo);
    FloatVector a = qv.mul(FloatVector.fromArray(S, k, ko)), b = qv.mul(FloatVector.fromArray(S, k, ko + C));
    for (int i = L; i < hs; i += L) {
      qv = FloatVector.fromArray(S, q, qo + i);
      a = qv.fma(FloatVector.fromArray(S, k, ko + i), a);
      b = qv.fma(FloatVector.fromArray(S, k, ko + C + i), b);
    }
    a.blend(b.rearrange(SWAP1), HIGH1).add(a.rearrange(SWAP1).blend(b, HIGH1)).intoArray(sums, so);
  }

  // sums row j (L) = the halving step s (swap, high) over rows 2j and 2j+1; row j is read (j = 0) or consumed before
  private static void halvePair(float[] sums, int j, VectorShuffle<Float> swap, VectorMask<Float> high) {
    FloatVector a = FloatVector.fromArray(S, sums, 2 * j * L), b = FloatVector.fromArray(S, sums, (2 * j + 1) * L);
    a.blend(b.rearrange(swap), high).add(a.rearrange(swap).blend(b, high)).intoArray(sums, j * L);
  }

  /**
   * The batch row of the bh-th pair handed out. Pairs go out batch-fastest, (b0,h0), (b1,h0), ...:
   * pairs running at the same time on different workers then write rows of different sequences,
   * T*C floats apart. Head-fastest order put two workers on heads h and h+1 of one sequence, whose
   * out and dqkv channels share a cache line at every row's head boundary (hs = 32 is 128 bytes,
   * not line-aligned in the array): the lines bounced between cores on every row, and attention ran
   * slower on 2 threads than on 1. Each pair's arithmetic is the same in any order.
   */
  private static int pairBatch(int bh, int pairs, int NH) {
    return bh % (pairs / NH);
  }

  /** The head of the bh-th pair handed out; see {@link #pairBatch}. */
  private static int pairHead(int bh, int pairs, int NH) {
    return bh / (pairs / NH);
  }

  /**
   * Columns to compute for a row tile whose causal columns end at kEnd: up to the end of the
   * last panel (within T), so no panel takes the ragged-edge path; the extra columns lie above
   * the diagonal and are overwritten with zeros right after.
   */
  private static int wholePanels(int kEnd, int T) {
    return Math.min(T, Gemm.panels(kEnd) * Gemm.NR);
  }

  // out (width) = sum_{t2 < n} w[wo + t2] * rows[ro + t2*stride .. + width): att @ v over the cache
  private static void weightedSum(float[] w, int wo, int n, float[] rows, int ro, int stride, float[] out, int oo,
      int width) {
    int i = 0;
    for (; i + 4 * L <= width; i += 4 * L) {
      FloatVector o0 = FloatVector.zero(S), o1 = o0, o2 = o0, o3 = o0;
      for (int t2 = 0; t2 < n; t2++) {
        FloatVector wt = FloatVector.broadcast(S, w[wo + t2]);
        int r = ro + t2 * stride + i;
        o0 = wt.fma(FloatVector.fromArray(S, rows, r), o0);
        o1 = wt.fma(FloatVector.fromArray(S, rows, r + L), o1);
        o2 = wt.fma(FloatVector.fromArray(S, rows, r + 2 * L), o2);
        o3 = wt.fma(FloatVector.fromArray(S, rows, r + 3 * L), o3);
      }
      o0.intoArray(out, oo + i);
      o1.intoArray(out, oo + i + L);
      o2.intoArray(out, oo + i + 2 * L);
      o3.intoArray(out, oo + i + 3 * L);
    }
    for (; i + L <= width; i += L) {
      FloatVector o0 = FloatVector.zero(S);
      for (int t2 = 0; t2 < n; t2++) {
        o0 = FloatVector.broadcast(S, w[wo + t2]).fma(FloatVector.fromArray(S, rows, ro + t2 * stride + i), o0);
      }
      o0.intoArray(out, oo + i);
    }
    for (; i < width; i++) {
      float s = 0f;
      for (int t2 = 0; t2 < n; t2++) s += w[wo + t2] * rows[ro + t2 * stride + i];
      out[oo + i] = s;
    }
  }
}
