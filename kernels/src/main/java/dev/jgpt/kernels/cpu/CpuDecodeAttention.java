package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;

/**
 * One generation step's attention over the KV cache: for each head, scores q . k_t over the
 * cached positions, softmax, the weighted sum of the cached v rows. Workers take contiguous
 * ranges of heads and walk the cache one head at a time (a 4 hs-byte piece of each row, rows C
 * floats apart). Walking it row by row over all of a worker's heads instead (whole rows read in
 * order, the weighted sums kept in a scratch between rows) was measured slower on Zen 5 (scores
 * 1.9-2.1 against 1.5-1.6 ms a token, weighted sums 2.0-2.4 against 1.1-1.2, GPT-2 124M, 960
 * positions, one thread, cold caches): the per-head weighted sum keeps its sums in registers and
 * already reads v at about the speed of a plain stream, and the hardware prefetchers follow the
 * fixed stride. Each head's sums run in one fixed order, so results do not depend on the thread
 * count ({@code DecodeAttentionBitsTest} pins the bits).
 */
final class CpuDecodeAttention {
  /**
   * Cached floats of one head (p+1 rows of hs) from which the heads are split over the workers:
   * below it a fork costs more than it saves.
   */
  private static final int FORK_FLOATS = 8192;

  private final WorkerPool pool;
  private final Args args = new Args();
  private final WorkerPool.TaskWith<Args> worker = this::worker;
  /** Per worker: (L/2, L) partial sums of the block scores. */
  private final float[][] blockSums;

  CpuDecodeAttention(WorkerPool pool) {
    this.pool = pool;
    blockSums = new float[pool.threads()][L * L / 2];
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
    if ((p + 1) * a.hs >= FORK_FLOATS) {
      pool.run(a, worker);
    } else {
      worker(a, 0, 1);
    }
    a.out = a.att = a.qkv = a.kcache = a.vcache = null;
  }

  /** On worker w of ws: its contiguous share of the heads (all of them when the step runs inline). */
  private void worker(Args a, int w, int ws) {
    int h1 = WorkerPool.split(a.NH, w + 1, ws);
    for (int h = WorkerPool.split(a.NH, w, ws); h < h1; h++) head(a, h, blockSums[w]);
  }

  // head h: att row h (p+1) and out channels h*hs .. (h+1)*hs; sums (L/2, L) scratch of the block scores
  private static void head(Args a, int h, float[] sums) {
    float[] att = a.att, qkv = a.qkv, kcache = a.kcache;
    int p = a.p, C = a.C, hs = a.hs;
    int at = a.atto + h * a.maxT, q = a.qkvo + h * hs, k = a.kcacheo + h * hs;
    int t2 = 0;
    if (hs % L == 0 && L >= 4 && L <= 16) {
      for (; t2 + L <= p + 1; t2 += L) blockScores(qkv, q, kcache, k + t2 * C, C, hs, sums, att, at + t2);
    }
    for (; t2 <= p; t2++) att[at + t2] = Dot.dot(qkv, q, kcache, k + t2 * C, hs);
    RowOps.softmaxInPlace(att, at, p + 1, a.scale);
    weightedSum(att, at, p + 1, a.vcache, a.vcacheo + h * hs, C, a.out, a.outo + h * hs, hs);
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
    // a and b are loop-carried: re-made as known receivers, -0 + x = x (see Vec)
    FloatVector negativeZero = FloatVector.broadcast(S, -0f);
    a = negativeZero.add(a);
    b = negativeZero.add(b);
    a.blend(b.rearrange(SWAP1), HIGH1).add(a.rearrange(SWAP1).blend(b, HIGH1)).intoArray(sums, so);
  }

  // sums row j (L) = the halving step s (swap, high) over rows 2j and 2j+1; row j is read (j = 0) or consumed before
  private static void halvePair(float[] sums, int j, VectorShuffle<Float> swap, VectorMask<Float> high) {
    FloatVector a = FloatVector.fromArray(S, sums, 2 * j * L), b = FloatVector.fromArray(S, sums, (2 * j + 1) * L);
    a.blend(b.rearrange(swap), high).add(a.rearrange(swap).blend(b, high)).intoArray(sums, j * L);
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
      // the loop-carried sums stored through known receivers, -0 + x = x (see Vec)
      FloatVector negativeZero = FloatVector.broadcast(S, -0f);
      negativeZero.add(o0).intoArray(out, oo + i);
      negativeZero.add(o1).intoArray(out, oo + i + L);
      negativeZero.add(o2).intoArray(out, oo + i + 2 * L);
      negativeZero.add(o3).intoArray(out, oo + i + 3 * L);
    }
    for (; i + L <= width; i += L) {
      FloatVector o0 = FloatVector.zero(S);
      for (int t2 = 0; t2 < n; t2++) {
        o0 = FloatVector.broadcast(S, w[wo + t2]).fma(FloatVector.fromArray(S, rows, ro + t2 * stride + i), o0);
      }
      FloatVector.broadcast(S, -0f).add(o0).intoArray(out, oo + i); // known receiver (see Vec)
    }
    for (; i < width; i++) {
      float s = 0f;
      for (int t2 = 0; t2 < n; t2++) s += w[wo + t2] * rows[ro + t2 * stride + i];
      out[oo + i] = s;
    }
  }
}
