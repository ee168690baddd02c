package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * One generation step's attention over the KV cache: for each head, scores q . k_t over the
 * cached positions, softmax, the weighted sum of the cached v rows. At long contexts the step
 * is a stream over the cache (2 x (p+1) x C floats a layer), so what matters is reading it at
 * memory speed: both passes walk the cache row by row and do every head of the worker's range
 * on each row (one contiguous piece of each row), instead of one head at a time (a 4 hs-byte
 * piece of every row, C floats apart, walked NH times over the cache). Each element's arithmetic
 * is that of the head-at-a-time loop, in the same order: only the order between elements changed,
 * so results are the same bits. Workers take contiguous ranges of heads; each head's sums run in
 * one fixed order, so results do not depend on the thread count.
 */
final class CpuDecodeAttention {
  /** Width of the weighted sum's vectors: it streams v, which runs faster at 256 bits (see {@link Dot#STREAM}). */
  private static final VectorSpecies<Float> V = Dot.STREAM;
  private static final int VL = Dot.STREAM_L;
  /**
   * Cached floats of one head (p+1 rows of hs) from which the heads are split over the workers:
   * below it a fork costs more than it saves.
   */
  private static final int FORK_FLOATS = 8192;

  private final WorkerPool pool;
  private final Args args = new Args();
  private final WorkerPool.TaskWith<Args> worker = this::worker;
  /** Per worker: (heads, L/2, L) partial sums of one block of scores, for each head of its range. */
  private final float[][] blockSums;
  /** Per worker: (heads*hs) the weighted sums of its heads, kept apart from out until the end (no line shared). */
  private final float[][] sums;

  CpuDecodeAttention(WorkerPool pool) {
    this.pool = pool;
    blockSums = new float[pool.threads()][0];
    sums = new float[pool.threads()][0];
  }

  /** The op's arguments, one record refilled per call (a call allocates nothing). */
  private static final class Args {
    float[] out, att, qkv, kcache, vcache;
    int outo, atto, qkvo, kcacheo, vcacheo, p, maxT, C, NH, hs;
    float scale;
  }

  // out (C), att (NH,maxT); qkv (3C) of position p; kcache, vcache (maxT,C) receive row p
  void decode(float[] out, int outo, float[] att, int atto, float[] qkv, int qkvo, float[] kcache, int kcacheo,
      float[] vcache, int vcacheo, int p, int maxT, int C, int NH) {
    System.arraycopy(qkv, qkvo + C, kcache, kcacheo + p * C, C);
    System.arraycopy(qkv, qkvo + 2 * C, vcache, vcacheo + p * C, C);
    Args a = args;
    a.out = out;
    a.outo = outo;
    a.att = att;
    a.atto = atto;
    a.qkv = qkv;
    a.qkvo = qkvo;
    a.kcache = kcache;
    a.kcacheo = kcacheo;
    a.vcache = vcache;
    a.vcacheo = vcacheo;
    a.p = p;
    a.maxT = maxT;
    a.C = C;
    a.NH = NH;
    a.hs = C / NH;
    a.scale = (float) (1.0 / Math.sqrt(a.hs));
    ensureScratch(NH, a.hs);
    if ((p + 1) * a.hs >= FORK_FLOATS) {
      pool.run(a, worker);
    } else {
      worker(a, 0, 1);
    }
    a.out = a.att = a.qkv = a.kcache = a.vcache = null;
  }

  // room for every head on every worker (a worker may run all of them inline); grows only for a larger shape
  private void ensureScratch(int NH, int hs) {
    for (int w = 0; w < sums.length; w++) {
      if (blockSums[w].length < NH * L * L / 2) blockSums[w] = new float[NH * L * L / 2];
      if (sums[w].length < NH * hs) sums[w] = new float[NH * hs];
    }
  }

  /** On worker w of ws: its contiguous share of the heads (all of them when the step runs inline). */
  private void worker(Args a, int w, int ws) {
    int h0 = WorkerPool.split(a.NH, w, ws), h1 = WorkerPool.split(a.NH, w + 1, ws);
    if (h0 == h1) return;
    scores(a, h0, h1, blockSums[w]);
    for (int h = h0; h < h1; h++) RowOps.softmaxInPlace(a.att, a.atto + h * a.maxT, a.p + 1, a.scale);
    float[] o = sums[w];
    int width = (h1 - h0) * a.hs;
    weightedSums(a, h0, h1, o);
    System.arraycopy(o, 0, a.out, a.outo + h0 * a.hs, width);
  }

  // att[h][t] (h in [h0,h1), t <= p) = q_h (hs) . k row t (hs); blockSums (h1-h0, L/2, L) scratch
  private static void scores(Args a, int h0, int h1, float[] blockSums) {
    int p = a.p, C = a.C, hs = a.hs, t = 0;
    if (hs % L == 0 && L >= 4 && L <= 16) {
      for (; t + L <= p + 1; t += L) blockScores(a, h0, h1, t, blockSums);
    }
    for (; t <= p; t++) {
      int k = a.kcacheo + t * C;
      for (int h = h0; h < h1; h++) a.att[a.atto + h * a.maxT + t] = Dot.dot(a.qkv, a.qkvo + h * hs, a.kcache, k + h * hs, hs);
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
   * att[h][t0 + j] = q_h . key row t0 + j for L consecutive cached rows and each head h of [h0, h1).
   * One reduction per position (summing the lanes of q*k one by one) cost more than the products
   * at hs = 64; here a head's L product vectors are summed into one vector by log2(L) halving
   * steps (a transpose and add), about five vector ops per position, through its (L/2, L) part of
   * sums in L1. The products go two rows at a time over all the heads, so the rows are read from
   * start to end. Each step is its own loop so that no vector crosses a call C2 might not inline
   * (a boxed vector per call). Needs hs % L == 0 and L in {4, 8, 16}; the order of the additions
   * is fixed, so results do not depend on timing or threads.
   */
  private static void blockScores(Args a, int h0, int h1, int t0, float[] sums) {
    int C = a.C, hs = a.hs, block = L * L / 2;
    for (int j = 0; j < L / 2; j++) {
      int k = a.kcacheo + (t0 + 2 * j) * C;
      for (int h = h0; h < h1; h++) pairProducts(a.qkv, a.qkvo + h * hs, a.kcache, k + h * hs, C, hs, sums, (h - h0) * block + j * L);
    }
    for (int h = h0; h < h1; h++) {
      int so = (h - h0) * block;
      for (int j = 0; j < L / 4; j++) halvePair(sums, so, j, SWAP2, HIGH2);
      if (L >= 8) {
        for (int j = 0; j < L / 8; j++) halvePair(sums, so, j, SWAP4, HIGH4);
      }
      if (L >= 16) halvePair(sums, so, 0, SWAP8, HIGH8);
      System.arraycopy(sums, so, a.att, a.atto + h * a.maxT + t0, L);
    }
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

  // sums row j (L) from so = the halving step s (swap, high) over rows 2j and 2j+1; row j is read (j = 0) or consumed before
  private static void halvePair(float[] sums, int so, int j, VectorShuffle<Float> swap, VectorMask<Float> high) {
    FloatVector a = FloatVector.fromArray(S, sums, so + 2 * j * L), b = FloatVector.fromArray(S, sums, so + (2 * j + 1) * L);
    a.blend(b.rearrange(swap), high).add(a.rearrange(swap).blend(b, high)).intoArray(sums, so + j * L);
  }

  /**
   * o ((h1-h0)*hs) = for each head h of [h0, h1): sum over t <= p of att[h][t] * v row t's channels
   * of h. Rows go two at a time over all the heads (read from start to end); each channel's sum
   * is kept in o between rows and adds its terms in t order: fused multiply-adds on the channels
   * of the head's vector body (as wide as {@link Vec#S} allows, whatever width does the work), a
   * product then a sum on its scalar tail. The result is the same bits as a sum kept in a register
   * over all rows.
   */
  private static void weightedSums(Args a, int h0, int h1, float[] o) {
    int hs = a.hs, C = a.C, n = a.p + 1, body = Vec.loopBound(hs), width = (h1 - h0) * hs;
    java.util.Arrays.fill(o, 0, width, 0f);
    float[] w = a.att, v = a.vcache;
    int t = 0;
    for (; t + 2 <= n; t += 2) {
      int r = a.vcacheo + t * C + h0 * hs;
      for (int h = h0; h < h1; h++) {
        int wo = a.atto + h * a.maxT + t, oo = (h - h0) * hs, ro = r + oo;
        FloatVector w0 = FloatVector.broadcast(V, w[wo]), w1 = FloatVector.broadcast(V, w[wo + 1]);
        for (int i = 0; i < body; i += VL) {
          FloatVector acc = FloatVector.fromArray(V, o, oo + i);
          acc = w0.fma(FloatVector.fromArray(V, v, ro + i), acc);
          w1.fma(FloatVector.fromArray(V, v, ro + C + i), acc).intoArray(o, oo + i);
        }
        for (int i = body; i < hs; i++) {
          o[oo + i] += w[wo] * v[ro + i];
          o[oo + i] += w[wo + 1] * v[ro + C + i];
        }
      }
    }
    for (; t < n; t++) {
      int r = a.vcacheo + t * C + h0 * hs;
      for (int h = h0; h < h1; h++) {
        int wo = a.atto + h * a.maxT + t, oo = (h - h0) * hs, ro = r + oo;
        FloatVector w0 = FloatVector.broadcast(V, w[wo]);
        for (int i = 0; i < body; i += VL) {
          w0.fma(FloatVector.fromArray(V, v, ro + i), FloatVector.fromArray(V, o, oo + i)).intoArray(o, oo + i);
        }
        for (int i = body; i < hs; i++) o[oo + i] += w[wo] * v[ro + i];
      }
    }
  }
}
