package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import jdk.incubator.vector.FloatVector;

/**
 * Causal self-attention on all cores. Work is split over the B*NH (batch, head) pairs: a pair
 * owns its att rows, its out channels and, in the backward pass, its q, k, v gradient channels,
 * so every output element has one writer. Per pair the keys (forward) or values (backward) are
 * transposed into a worker scratch (hs,T), which turns the T x T scores into broadcast-FMA
 * loops over contiguous rows instead of T*T horizontal reductions.
 */
final class CpuAttention {
  private final WorkerPool pool;
  private float[][] transposed; // per worker: k or v of one (b,h), transposed (hs,T)
  private float[][] rowScratch; // per worker: datt / dpreatt of one row (T)

  CpuAttention(WorkerPool pool) {
    this.pool = pool;
    this.transposed = new float[pool.threads()][0];
    this.rowScratch = new float[pool.threads()][0];
  }

  /** Grows the per-worker scratch for shape (T, hs); allocates only on a larger shape. */
  private void ensureScratch(int T, int hs) {
    if (transposed[0].length < T * hs) {
      for (int w = 0; w < transposed.length; w++) transposed[w] = new float[T * hs];
    }
    if (rowScratch[0].length < T) {
      for (int w = 0; w < rowScratch.length; w++) rowScratch[w] = new float[T];
    }
  }

  // out (B,T,C), att (B,NH,T,T); qkv (B,T,3C)
  void forward(float[] out, int outo, float[] att, int atto, float[] qkv, int qkvo, int B, int T, int C, int NH) {
    int hs = C / NH;
    float scale = (float) (1.0 / Math.sqrt(hs));
    ensureScratch(T, hs);
    pool.run((w, ws) -> {
      float[] kt = transposed[w];
      int bh1 = WorkerPool.split(B * NH, w + 1, ws);
      for (int bh = WorkerPool.split(B * NH, w, ws); bh < bh1; bh++) {
        int b = bh / NH, h = bh % NH;
        int rows = qkvo + b * T * 3 * C; // row t of this batch starts at rows + t*3C
        transpose(qkv, rows + C + h * hs, 3 * C, T, hs, kt);
        for (int t = 0; t < T; t++) {
          int a = atto + (bh * T + t) * T;
          int n = t + 1;
          scores(qkv, rows + t * 3 * C + h * hs, scale, kt, T, hs, att, a, n);
          RowOps.softmaxInPlace(att, a, n);
          RowOps.fill(att, a + n, T - n, 0f);
          weightedSum(att, a, n, qkv, rows + 2 * C + h * hs, 3 * C, out, outo + (b * T + t) * C + h * hs, hs, false);
        }
      }
    });
  }

  // dqkv (B,T,3C) +=; dout (B,T,C), qkv (B,T,3C), att (B,NH,T,T)
  void backward(float[] dqkv, int dqkvo, float[] dout, int douto, float[] qkv, int qkvo, float[] att, int atto,
      int B, int T, int C, int NH) {
    int hs = C / NH;
    float scale = (float) (1.0 / Math.sqrt(hs));
    ensureScratch(T, hs);
    pool.run((w, ws) -> {
      float[] vt = transposed[w];
      float[] dpre = rowScratch[w];
      int bh1 = WorkerPool.split(B * NH, w + 1, ws);
      for (int bh = WorkerPool.split(B * NH, w, ws); bh < bh1; bh++) {
        int b = bh / NH, h = bh % NH;
        int rows = qkvo + b * T * 3 * C;
        int drows = dqkvo + b * T * 3 * C;
        transpose(qkv, rows + 2 * C + h * hs, 3 * C, T, hs, vt);
        for (int t = 0; t < T; t++) {
          int a = atto + (bh * T + t) * T;
          int n = t + 1;
          int d = douto + (b * T + t) * C + h * hs;
          int q = rows + t * 3 * C + h * hs;
          // datt[t2] = dout_t . v[t2]; dpre = att * (datt - sum(att * datt)) * scale
          scores(dout, d, 1f, vt, T, hs, dpre, 0, n);
          float attDotDatt = Dot.dot(att, a, dpre, 0, n);
          softmaxBackward(att, a, dpre, attDotDatt, scale, n);
          // dq_t += sum_t2 dpre[t2] k[t2]
          weightedSum(dpre, 0, n, qkv, rows + C + h * hs, 3 * C, dqkv, drows + t * 3 * C + h * hs, hs, true);
          // dk[t2] += dpre[t2] q_t; dv[t2] += att[t2] dout_t
          for (int t2 = 0; t2 < n; t2++) {
            int dk = drows + t2 * 3 * C + C + h * hs;
            Dot.axpy(dpre[t2], qkv, q, dqkv, dk, hs);
            Dot.axpy(att[a + t2], dout, d, dqkv, dk + C, hs);
          }
        }
      }
    });
  }

  // out (C), att (NH,maxT); qkv (3C) of position p; kcache, vcache (maxT,C) receive row p
  void decode(float[] out, int outo, float[] att, int atto, float[] qkv, int qkvo, float[] kcache, int kcacheo,
      float[] vcache, int vcacheo, int p, int maxT, int C, int NH) {
    int hs = C / NH;
    float scale = (float) (1.0 / Math.sqrt(hs));
    System.arraycopy(qkv, qkvo + C, kcache, kcacheo + p * C, C);
    System.arraycopy(qkv, qkvo + 2 * C, vcache, vcacheo + p * C, C);
    // Heads in parallel once the cache is long enough to be worth a fork.
    int work = (p + 1) * hs;
    pool.forRange(NH, work >= 8192 ? 1 : NH, (h0, h1) -> {
      for (int h = h0; h < h1; h++) {
        int a = atto + h * maxT;
        for (int t2 = 0; t2 <= p; t2++) {
          att[a + t2] = scale * Dot.dot(qkv, qkvo + h * hs, kcache, kcacheo + t2 * C + h * hs, hs);
        }
        RowOps.softmaxInPlace(att, a, p + 1);
        weightedSum(att, a, p + 1, vcache, vcacheo + h * hs, C, out, outo + h * hs, hs, false);
      }
    });
  }

  // xt (hs,T): xt[i*T + t] = x[xo + t*stride + i], one head's k or v columns
  private static void transpose(float[] x, int xo, int stride, int T, int hs, float[] xt) {
    for (int t = 0; t < T; t++) {
      int src = xo + t * stride;
      for (int i = 0; i < hs; i++) xt[i * T + t] = x[src + i];
    }
  }

  // dst[dsto + t2] = scale * sum_i x[xo + i] * mt[i*T + t2] for t2 < n: q.k scores, or dout.v
  private static void scores(float[] x, int xo, float scale, float[] mt, int T, int hs, float[] dst, int dsto, int n) {
    int t2 = 0;
    // Four vectors of t2 in registers across the whole i loop.
    for (; t2 + 4 * L <= n; t2 += 4 * L) {
      FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
      for (int i = 0; i < hs; i++) {
        FloatVector xi = FloatVector.broadcast(S, x[xo + i]);
        int m = i * T + t2;
        s0 = xi.fma(FloatVector.fromArray(S, mt, m), s0);
        s1 = xi.fma(FloatVector.fromArray(S, mt, m + L), s1);
        s2 = xi.fma(FloatVector.fromArray(S, mt, m + 2 * L), s2);
        s3 = xi.fma(FloatVector.fromArray(S, mt, m + 3 * L), s3);
      }
      s0.mul(scale).intoArray(dst, dsto + t2);
      s1.mul(scale).intoArray(dst, dsto + t2 + L);
      s2.mul(scale).intoArray(dst, dsto + t2 + 2 * L);
      s3.mul(scale).intoArray(dst, dsto + t2 + 3 * L);
    }
    for (; t2 + L <= n; t2 += L) {
      FloatVector s0 = FloatVector.zero(S);
      for (int i = 0; i < hs; i++) {
        s0 = FloatVector.broadcast(S, x[xo + i]).fma(FloatVector.fromArray(S, mt, i * T + t2), s0);
      }
      s0.mul(scale).intoArray(dst, dsto + t2);
    }
    for (; t2 < n; t2++) {
      float s = 0f;
      for (int i = 0; i < hs; i++) s += x[xo + i] * mt[i * T + t2];
      dst[dsto + t2] = s * scale;
    }
  }

  // dpre (n) = att (n) * (dpre - attDotDatt) * scale, in place over datt
  private static void softmaxBackward(float[] att, int a, float[] dpre, float attDotDatt, float scale, int n) {
    FloatVector s = FloatVector.broadcast(S, attDotDatt);
    int i = 0;
    for (; i + L <= n; i += L) {
      FloatVector.fromArray(S, att, a + i).mul(FloatVector.fromArray(S, dpre, i).sub(s)).mul(scale).intoArray(dpre, i);
    }
    for (; i < n; i++) dpre[i] = att[a + i] * (dpre[i] - attDotDatt) * scale;
  }

  // out (width) (+)= sum_{t2 < n} w[wo + t2] * rows[ro + t2*stride .. + width): att @ v, dpre @ k
  private static void weightedSum(float[] w, int wo, int n, float[] rows, int ro, int stride, float[] out, int oo,
      int width, boolean accumulate) {
    int i = 0;
    for (; i + 4 * L <= width; i += 4 * L) {
      FloatVector o0, o1, o2, o3;
      if (accumulate) {
        o0 = FloatVector.fromArray(S, out, oo + i);
        o1 = FloatVector.fromArray(S, out, oo + i + L);
        o2 = FloatVector.fromArray(S, out, oo + i + 2 * L);
        o3 = FloatVector.fromArray(S, out, oo + i + 3 * L);
      } else {
        o0 = o1 = o2 = o3 = FloatVector.zero(S);
      }
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
      FloatVector o0 = accumulate ? FloatVector.fromArray(S, out, oo + i) : FloatVector.zero(S);
      for (int t2 = 0; t2 < n; t2++) {
        o0 = FloatVector.broadcast(S, w[wo + t2]).fma(FloatVector.fromArray(S, rows, ro + t2 * stride + i), o0);
      }
      o0.intoArray(out, oo + i);
    }
    for (; i < width; i++) {
      float s = accumulate ? out[oo + i] : 0f;
      for (int t2 = 0; t2 < n; t2++) s += w[wo + t2] * rows[ro + t2 * stride + i];
      out[oo + i] = s;
    }
  }
}
