package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import dev.jgpt.kernels.Bf16;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
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
 *
 * <p>The same over a bf16 cache ({@link #decodeBf16}): the packed rows are widened inside the
 * score and weighted-sum loops, half the bytes read (GPT-2 124M shape, ~1,000 positions: 2.3-2.6
 * against 3.9 ms a token on one core). Widening each head's rows into an F32 copy first and
 * running the loops above over it was slower than the F32 cache (3.5 against 2.4 ms, two cores):
 * the copy costs more than the bytes it saves.
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
  /** Per worker, bf16 caches only: (3, hs) q and the output in the widened column order, a widened row. */
  private final float[][] headScratch;

  CpuDecodeAttention(WorkerPool pool) {
    this.pool = pool;
    blockSums = new float[pool.capacity()][L * L / 2];
    headScratch = new float[pool.capacity()][0];
  }

  /** The op's arguments, one record refilled per call (a call allocates nothing). */
  private static final class Args {
    float[] out, att, qkv, kcache, vcache;
    int[] kcache16, vcache16; // (maxT, C/2) bf16 pairs, or null: the caches are kcache, vcache
    int outo, atto, qkvo, kcacheo, vcacheo, p, maxT, C, NH, hs;
    float scale;
  }

  // out (C), att (NH,maxT); qkv (3C) of position p; kcache, vcache (maxT,C) receive row p
  void decode(float[] out, int outo, float[] att, int atto, float[] qkv, int qkvo, float[] kcache, int kcacheo,
      float[] vcache, int vcacheo, int p, int maxT, int C, int NH) {
    System.arraycopy(qkv, qkvo + C, kcache, kcacheo + p * C, C);
    System.arraycopy(qkv, qkvo + 2 * C, vcache, vcacheo + p * C, C);
    Args a = args;
    a.kcache = kcache;
    a.kcacheo = kcacheo;
    a.vcache = vcache;
    a.vcacheo = vcacheo;
    runHeads(a, out, outo, att, atto, qkv, qkvo, p, maxT, C, NH);
    a.kcache = a.vcache = null;
  }

  // out (C), att (NH,maxT); qkv (3C) of position p; kcache, vcache (maxT, C/2) bf16 pairs receive row p
  void decodeBf16(float[] out, int outo, float[] att, int atto, float[] qkv, int qkvo, int[] kcache, int[] vcache, int p,
      int maxT, int C, int NH) {
    Bf16.packRow(qkv, qkvo + C, C, kcache, p * (C / 2));
    Bf16.packRow(qkv, qkvo + 2 * C, C, vcache, p * (C / 2));
    for (int w = 0; w < headScratch.length; w++) headScratch[w] = CpuMatmul.grow(headScratch[w], 3L * (C / NH));
    Args a = args;
    a.kcache16 = kcache;
    a.vcache16 = vcache;
    runHeads(a, out, outo, att, atto, qkv, qkvo, p, maxT, C, NH);
    a.kcache16 = a.vcache16 = null;
  }

  /** Both forms, with a's caches set: the other arguments, then the heads, split over the workers when large. */
  private void runHeads(Args a, float[] out, int outo, float[] att, int atto, float[] qkv, int qkvo, int p, int maxT,
      int C, int NH) {
    a.out = out;
    a.outo = outo;
    a.att = att;
    a.atto = atto;
    a.qkv = qkv;
    a.qkvo = qkvo;
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
    a.out = a.att = a.qkv = null;
  }

  /** On worker w of ws: its contiguous share of the heads (all of them when the step runs inline). */
  private void worker(Args a, int w, int ws) {
    int h1 = WorkerPool.split(a.NH, w + 1, ws);
    for (int h = WorkerPool.split(a.NH, w, ws); h < h1; h++) {
      if (a.kcache16 == null) {
        head(a, h, blockSums[w]);
      } else {
        headBf16(a, h, blockSums[w], headScratch[w]);
      }
    }
  }

  // head h: att row h (p+1) and out channels h*hs .. (h+1)*hs; sums (L/2, L) scratch of the block scores
  private static void head(Args a, int h, float[] sums) {
    int hs = a.hs, at = a.atto + h * a.maxT;
    scores(a.att, at, a.p, a.qkv, a.qkvo + h * hs, a.kcache, a.kcacheo + h * hs, a.C, hs, sums);
    RowOps.softmaxInPlace(a.att, at, a.p + 1, a.scale);
    weightedSum(a.att, at, a.p + 1, a.vcache, a.vcacheo + h * hs, a.C, a.out, a.outo + h * hs, hs);
  }

  /**
   * Head h over the bf16 caches, computed from the packed rows as they are read: an int vector
   * widens into the even columns (shift left 16) and the odd ones (mask the high half), so q and
   * the output are kept in that order, even columns then odd ones, and the output is put back in
   * column order at the end. scratch (3 hs): q in that order, the output in it, one widened row.
   */
  private static void headBf16(Args a, int h, float[] sums, float[] scratch) {
    int hs = a.hs, half = hs / 2, at = a.atto + h * a.maxT, q = a.qkvo + h * hs, stride = a.C / 2, k = h * half;
    for (int j = 0; j < half; j++) {
      scratch[j] = a.qkv[q + 2 * j];
      scratch[half + j] = a.qkv[q + 2 * j + 1];
    }
    int t2 = 0;
    if (half % L == 0 && L >= 4 && L <= 16) {
      for (; t2 + L <= a.p + 1; t2 += L) blockScoresBf16(scratch, a.kcache16, k + t2 * stride, stride, half, sums, a.att, at + t2);
    }
    for (; t2 <= a.p; t2++) { // positions after the last whole block: one widened row at a time
      widen(a.kcache16, k + t2 * stride, half, scratch, 2 * hs);
      a.att[at + t2] = Dot.dot(scratch, 0, scratch, 2 * hs, hs);
    }
    RowOps.softmaxInPlace(a.att, at, a.p + 1, a.scale);
    weightedSumBf16(a.att, at, a.p + 1, a.vcache16, k, stride, scratch, hs, half);
    int o = a.outo + h * hs;
    for (int j = 0; j < half; j++) {
      a.out[o + 2 * j] = scratch[hs + j];
      a.out[o + 2 * j + 1] = scratch[hs + half + j];
    }
  }

  /** row (2 half) at ro = the bf16 pairs packed[ko .. ko + half) widened: the even columns, then the odd ones. */
  private static void widen(int[] packed, int ko, int half, float[] row, int ro) {
    for (int j = 0; j < half; j++) {
      int word = packed[ko + j];
      row[ro + j] = Float.intBitsToFloat(word << 16);
      row[ro + half + j] = Float.intBitsToFloat(word & 0xFFFF0000);
    }
  }

  /** {@link #blockScores} over bf16 key rows (L, half ints) at ko, row stride `stride` ints; q (2 half) widened order. */
  private static void blockScoresBf16(float[] q, int[] k, int ko, int stride, int half, float[] sums, float[] att, int ao) {
    for (int j = 0; j < L / 2; j++) pairProductsBf16(q, k, ko + 2 * j * stride, stride, half, sums, j * L);
    halveToScores(sums, att, ao);
  }

  /**
   * {@link #pairProducts} over two bf16 key rows at ko and ko + stride (half ints each), q (2 half)
   * in the widened order at 0: the lane products of even columns, then odd ones, in one sum.
   */
  private static void pairProductsBf16(float[] q, int[] k, int ko, int stride, int half, float[] sums, int so) {
    FloatVector qe = FloatVector.fromArray(S, q, 0), qd = FloatVector.fromArray(S, q, half);
    IntVector ka = IntVector.fromArray(Vec.INTS, k, ko), kb = IntVector.fromArray(Vec.INTS, k, ko + stride);
    FloatVector a = qe.mul((FloatVector) ka.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats());
    FloatVector b = qe.mul((FloatVector) kb.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats());
    a = qd.fma((FloatVector) ka.and(0xFFFF0000).reinterpretAsFloats(), a);
    b = qd.fma((FloatVector) kb.and(0xFFFF0000).reinterpretAsFloats(), b);
    for (int i = L; i < half; i += L) {
      qe = FloatVector.fromArray(S, q, i);
      qd = FloatVector.fromArray(S, q, half + i);
      ka = IntVector.fromArray(Vec.INTS, k, ko + i);
      kb = IntVector.fromArray(Vec.INTS, k, ko + stride + i);
      a = qe.fma((FloatVector) ka.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), a);
      b = qe.fma((FloatVector) kb.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), b);
      a = qd.fma((FloatVector) ka.and(0xFFFF0000).reinterpretAsFloats(), a);
      b = qd.fma((FloatVector) kb.and(0xFFFF0000).reinterpretAsFloats(), b);
    }
    // a and b are loop-carried: re-made as known receivers, -0 + x = x (see Vec)
    FloatVector negativeZero = FloatVector.broadcast(S, -0f);
    a = negativeZero.add(a);
    b = negativeZero.add(b);
    a.blend(b.rearrange(SWAP1), HIGH1).add(a.rearrange(SWAP1).blend(b, HIGH1)).intoArray(sums, so);
  }

  /**
   * out (2 half) at oo, in the widened order = sum_{t < n} w[wo + t] * bf16 row t (half ints at
   * ro + t*stride) widened: {@link #weightedSum} reading the packed rows, one running sum per output.
   */
  private static void weightedSumBf16(float[] w, int wo, int n, int[] rows, int ro, int stride, float[] out, int oo,
      int half) {
    int i = 0;
    for (; i + 2 * L <= half; i += 2 * L) {
      FloatVector e0 = FloatVector.zero(S), d0 = e0, e1 = e0, d1 = e0;
      for (int t = 0; t < n; t++) {
        FloatVector wt = FloatVector.broadcast(S, w[wo + t]);
        int r = ro + t * stride + i;
        IntVector v0 = IntVector.fromArray(Vec.INTS, rows, r), v1 = IntVector.fromArray(Vec.INTS, rows, r + L);
        e0 = wt.fma((FloatVector) v0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), e0);
        d0 = wt.fma((FloatVector) v0.and(0xFFFF0000).reinterpretAsFloats(), d0);
        e1 = wt.fma((FloatVector) v1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), e1);
        d1 = wt.fma((FloatVector) v1.and(0xFFFF0000).reinterpretAsFloats(), d1);
      }
      // the loop-carried sums stored through known receivers, -0 + x = x (see Vec)
      FloatVector negativeZero = FloatVector.broadcast(S, -0f);
      negativeZero.add(e0).intoArray(out, oo + i);
      negativeZero.add(e1).intoArray(out, oo + i + L);
      negativeZero.add(d0).intoArray(out, oo + half + i);
      negativeZero.add(d1).intoArray(out, oo + half + i + L);
    }
    for (; i + L <= half; i += L) {
      FloatVector e0 = FloatVector.zero(S), d0 = e0;
      for (int t = 0; t < n; t++) {
        FloatVector wt = FloatVector.broadcast(S, w[wo + t]);
        IntVector v0 = IntVector.fromArray(Vec.INTS, rows, ro + t * stride + i);
        e0 = wt.fma((FloatVector) v0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), e0);
        d0 = wt.fma((FloatVector) v0.and(0xFFFF0000).reinterpretAsFloats(), d0);
      }
      FloatVector negativeZero = FloatVector.broadcast(S, -0f); // known receivers (see Vec)
      negativeZero.add(e0).intoArray(out, oo + i);
      negativeZero.add(d0).intoArray(out, oo + half + i);
    }
    for (; i < half; i++) {
      float e = 0f, d = 0f;
      for (int t = 0; t < n; t++) {
        int word = rows[ro + t * stride + i];
        e += w[wo + t] * Float.intBitsToFloat(word << 16);
        d += w[wo + t] * Float.intBitsToFloat(word & 0xFFFF0000);
      }
      out[oo + i] = e;
      out[oo + half + i] = d;
    }
  }

  // att[at .. at+p] = q (hs) at qo . key rows 0..p (p+1, hs) at ko, row stride `stride`; sums (L/2, L) scratch
  private static void scores(float[] att, int at, int p, float[] q, int qo, float[] k, int ko, int stride, int hs,
      float[] sums) {
    int t2 = 0;
    if (hs % L == 0 && L >= 4 && L <= 16) {
      for (; t2 + L <= p + 1; t2 += L) blockScores(q, qo, k, ko + t2 * stride, stride, hs, sums, att, at + t2);
    }
    for (; t2 <= p; t2++) att[at + t2] = Dot.dot(q, qo, k, ko + t2 * stride, hs);
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
    halveToScores(sums, att, ao);
  }

  // att[ao .. ao+L) = the L scores: the halving steps s = 2 .. L/2 over sums (L/2, L) after the first
  private static void halveToScores(float[] sums, float[] att, int ao) {
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
