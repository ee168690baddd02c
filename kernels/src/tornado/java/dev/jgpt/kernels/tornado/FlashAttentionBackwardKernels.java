package dev.jgpt.kernels.tornado;

import static dev.jgpt.kernels.tornado.FlashAttentionKernels.KEYS;
import static dev.jgpt.kernels.tornado.FlashAttentionKernels.MAX_HEAD;
import static dev.jgpt.kernels.tornado.FlashAttentionKernels.QUERIES;

import dev.jgpt.kernels.BufferKind;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Causal attention backward for GPUs, tiled like {@link FlashAttentionKernels}, without the
 * (B,NH,T,T) score-gradient scratch of {@link AttentionKernels}: two passes in gather form (one
 * writer per output element, no atomics).
 * <ol>
 *   <li>{@link #backwardQuery}: a work group per (b, h, query tile) walks the key tiles with K and V
 *       in local memory; per query t it sums D_t = sum_j P_tj dP_tj (dP_tj = dout_t . v_j), and
 *       dq_t = scale * (sum_j P_tj dP_tj k_j - D_t sum_j P_tj k_j), which is
 *       scale * sum_j P_tj (dP_tj - D_t) k_j in one pass; D goes to a scratch row for pass 2.
 *   <li>{@link #backwardKeyValue}: a work group per (b, h, key tile) walks the query tiles from its
 *       own on, with q and dout in local memory: dk_j = scale * sum_t P_tj (dP_tj - D_t) q_t,
 *       dv_j = sum_t P_tj dout_t.
 * </ol>
 * dq, dk and dv are written (the Backend contract: dqkv is not zeroed before the call).
 * P is read from att (B,NH,T,T) where the caller kept the weights (tile loads along keys:
 * coalesced), or, where att is the backend's attention state (training: statso >= 0, atto = -1),
 * recomputed as exp(q.k * scale - max) / sum from the row stats (B*NH*T, 2) that
 * {@link FlashAttentionKernels#forward} saved, with the forward's own score arithmetic: the same
 * P as the weights pass would have written. Grids (tiles(T) * KEYS, B*NH * QUERIES), local (KEYS, QUERIES); pass 2 needs
 * QUERIES == KEYS (its first query tile starts at its key tile).
 *
 * <p>Buffers: one float array {@code m}, the kind all its tensors share (see {@link Arena});
 * offsets dqkvo -> dqkv (B,T,3C) activation gradient, douto -> dout (B,T,C) activation gradient,
 * qkvo -> qkv (B,T,3C) activation, atto -> att (B,NH,T,T) activation or -1, statso -> the row stats
 * (B*NH*T, 2) in att (the attention state) or -1, ddo -> D (B*NH*T) backend scratch.
 */
public final class FlashAttentionBackwardKernels {
  private FlashAttentionBackwardKernels() {}

  // dq of qkv (B,T,3C) = the query gradient (written); D (B*NH*T) = sum_j P_tj dP_tj per attention row.
  // Group (x, y) = (query tile, b*NH + h); item (lx, ly): query q0 + ly, key k0 + lx of each tile,
  // channels lx + KEYS*i of the output.
  public static void backwardQuery(KernelContext ctx, FloatArray m, int dqkvo, int douto, int qkvo, int atto,
      int statso, int ddo, int T, int C, int NH, int hs, float scale) {
    int lx = ctx.localIdx;
    int ly = ctx.localIdy;
    int lid = ly * KEYS + lx;
    int q0 = ctx.groupIdx * QUERIES;
    int bh = ctx.groupIdy;
    int b = bh / NH;
    int h = bh % NH;
    int t = q0 + ly;
    int tq = TornadoMath.min(t, T - 1);
    float[] dos = ctx.allocateFloatLocalArray(QUERIES * MAX_HEAD); // [query][channel] of dout
    float[] qs = ctx.allocateFloatLocalArray(QUERIES * MAX_HEAD); // [query][channel] of q (P recomputed)
    float[] ks = ctx.allocateFloatLocalArray(KEYS * MAX_HEAD); // [key][channel]
    float[] vs = ctx.allocateFloatLocalArray(KEYS * MAX_HEAD); // [key][channel]
    float[] pt = ctx.allocateFloatLocalArray(QUERIES * KEYS); // [query][key] P, 0 where masked
    float[] dpt = ctx.allocateFloatLocalArray(QUERIES * KEYS); // [query][key] dP
    float[] pdk = new float[MAX_HEAD / KEYS]; // sum_j P dP k_j, channels lx + KEYS*i
    float[] pk = new float[MAX_HEAD / KEYS]; // sum_j P k_j
    for (int i = 0; i < MAX_HEAD / KEYS; i++) {
      pdk[i] = 0f;
      pk[i] = 0f;
    }
    for (int e = lid; e < QUERIES * hs; e += QUERIES * KEYS) {
      int row = e / hs;
      int d = e % hs;
      int tt = TornadoMath.min(q0 + row, T - 1);
      dos[row * MAX_HEAD + d] = m.get(douto + (b * T + tt) * C + h * hs + d);
      if (atto < 0) qs[row * MAX_HEAD + d] = m.get(qkvo + (b * T + tt) * 3 * C + h * hs + d);
    }
    float rowMax = 0f; // this item's query's max and sum, where P is recomputed
    float rowSum = 1f;
    if (atto < 0) {
      rowMax = m.get(statso + 2 * (bh * T + tq));
      rowSum = m.get(statso + 2 * (bh * T + tq) + 1);
    }
    float dsum = 0f; // D of this item's query
    int lastQuery = TornadoMath.min(q0 + QUERIES, T) - 1;
    for (int k0 = 0; k0 <= lastQuery; k0 += KEYS) {
      ctx.localBarrier(); // the previous tile is used up (first time: the dout tile is in)
      for (int e = lid; e < KEYS * hs; e += QUERIES * KEYS) {
        int row = e / hs;
        int d = e % hs;
        int key = TornadoMath.min(k0 + row, T - 1);
        int kv = qkvo + (b * T + key) * 3 * C + h * hs + d;
        ks[row * MAX_HEAD + d] = m.get(kv + C);
        vs[row * MAX_HEAD + d] = m.get(kv + 2 * C);
      }
      int key = k0 + lx;
      float p = 0f;
      if (key <= tq) {
        if (t < T) {
          if (atto >= 0) p = m.get(atto + (bh * T + t) * T + key);
        }
      }
      ctx.localBarrier(); // the k tile is in
      if (atto < 0) {
        if (key <= tq) {
          if (t < T) {
            // the forward's score and the weights pass's formula: the P the weights would hold
            float sc = 0f;
            for (int d = 0; d < hs; d++) sc += qs[ly * MAX_HEAD + d] * ks[lx * MAX_HEAD + d];
            sc = sc * scale;
            p = TornadoMath.exp(sc - rowMax) / rowSum;
          }
        }
      }
      pt[ly * KEYS + lx] = p;
      float dp = 0f;
      for (int d = 0; d < hs; d++) dp += dos[ly * MAX_HEAD + d] * vs[lx * MAX_HEAD + d];
      dpt[ly * KEYS + lx] = dp;
      ctx.localBarrier();
      for (int j = 0; j < KEYS; j++) dsum += pt[ly * KEYS + j] * dpt[ly * KEYS + j];
      for (int i = 0; i < MAX_HEAD / KEYS; i++) {
        int d = lx + KEYS * i;
        if (d < hs) {
          float a = pdk[i];
          float c = pk[i];
          for (int j = 0; j < KEYS; j++) {
            float pj = pt[ly * KEYS + j];
            float kj = ks[j * MAX_HEAD + d];
            a += pj * dpt[ly * KEYS + j] * kj;
            c += pj * kj;
          }
          pdk[i] = a;
          pk[i] = c;
        }
      }
    }
    if (t < T) {
      for (int i = 0; i < MAX_HEAD / KEYS; i++) {
        int d = lx + KEYS * i;
        if (d < hs) {
          int o = dqkvo + (b * T + t) * 3 * C + h * hs + d;
          m.set(o, scale * (pdk[i] - dsum * pk[i]));
        }
      }
      if (lx == 0) m.set(ddo + bh * T + t, dsum);
    }
  }

  // dk and dv of qkv (B,T,3C) = the key and value gradients (written), from D (B*NH*T) of backwardQuery.
  // Group (x, y) = (key tile, b*NH + h); item (lx, ly): key k0 + ly, query q0 + lx of each query
  // tile, channels lx + QUERIES*i of the output.
  public static void backwardKeyValue(KernelContext ctx, FloatArray m, int dqkvo, int douto, int qkvo, int atto,
      int statso, int ddo, int T, int C, int NH, int hs, float scale) {
    int lx = ctx.localIdx;
    int ly = ctx.localIdy;
    int lid = ly * QUERIES + lx;
    int k0 = ctx.groupIdx * KEYS;
    int bh = ctx.groupIdy;
    int b = bh / NH;
    int h = bh % NH;
    int key = k0 + ly;
    float[] vs = ctx.allocateFloatLocalArray(KEYS * MAX_HEAD); // [key][channel] of this key tile
    float[] ks = ctx.allocateFloatLocalArray(KEYS * MAX_HEAD); // [key][channel] of this key tile (P recomputed)
    float[] qs = ctx.allocateFloatLocalArray(QUERIES * MAX_HEAD); // [query][channel]
    float[] dos = ctx.allocateFloatLocalArray(QUERIES * MAX_HEAD); // [query][channel] of dout
    float[] pt = ctx.allocateFloatLocalArray(KEYS * QUERIES); // [key][query] P, 0 where masked
    float[] ds = ctx.allocateFloatLocalArray(KEYS * QUERIES); // [key][query] P (dP - D)
    float[] dd = ctx.allocateFloatLocalArray(QUERIES); // D per query
    float[] smax = ctx.allocateFloatLocalArray(QUERIES); // max per query (P recomputed)
    float[] ssum = ctx.allocateFloatLocalArray(QUERIES); // sum per query (P recomputed)
    float[] dk = new float[MAX_HEAD / QUERIES]; // channels lx + QUERIES*i
    float[] dv = new float[MAX_HEAD / QUERIES];
    for (int i = 0; i < MAX_HEAD / QUERIES; i++) {
      dk[i] = 0f;
      dv[i] = 0f;
    }
    for (int e = lid; e < KEYS * hs; e += QUERIES * KEYS) {
      int row = e / hs;
      int d = e % hs;
      int kk = TornadoMath.min(k0 + row, T - 1);
      vs[row * MAX_HEAD + d] = m.get(qkvo + (b * T + kk) * 3 * C + 2 * C + h * hs + d);
      if (atto < 0) ks[row * MAX_HEAD + d] = m.get(qkvo + (b * T + kk) * 3 * C + C + h * hs + d);
    }
    // Queries before the key tile see none of its keys: start at the tile's own position.
    for (int q0 = k0; q0 < T; q0 += QUERIES) {
      ctx.localBarrier(); // the previous query tile is used up (first time: the v tile is in)
      for (int e = lid; e < QUERIES * hs; e += QUERIES * KEYS) {
        int row = e / hs;
        int d = e % hs;
        int tt = TornadoMath.min(q0 + row, T - 1);
        qs[row * MAX_HEAD + d] = m.get(qkvo + (b * T + tt) * 3 * C + h * hs + d);
        dos[row * MAX_HEAD + d] = m.get(douto + (b * T + tt) * C + h * hs + d);
      }
      // Item lid loads P(query q0 + ly, key k0 + lx): consecutive items, consecutive keys (coalesced),
      // stored transposed.
      int pq = q0 + ly;
      int pk = k0 + lx;
      if (atto >= 0) {
        float p = 0f;
        if (pk <= pq) {
          if (pq < T) p = m.get(atto + (bh * T + pq) * T + pk);
        }
        pt[lx * QUERIES + ly] = p;
      }
      if (lid < QUERIES) {
        float dRow = 0f;
        float rowMax = 0f;
        float rowSum = 1f;
        if (q0 + lid < T) {
          dRow = m.get(ddo + bh * T + q0 + lid);
          if (atto < 0) {
            rowMax = m.get(statso + 2 * (bh * T + q0 + lid));
            rowSum = m.get(statso + 2 * (bh * T + q0 + lid) + 1);
          }
        }
        dd[lid] = dRow;
        smax[lid] = rowMax;
        ssum[lid] = rowSum;
      }
      ctx.localBarrier();
      if (atto < 0) {
        // P(query q0 + lx, key k0 + ly), this item's own element: the forward's score, the weights pass's formula
        float p = 0f;
        if (key <= q0 + lx) {
          if (q0 + lx < T) {
            float sc = 0f;
            for (int d = 0; d < hs; d++) sc += qs[lx * MAX_HEAD + d] * ks[ly * MAX_HEAD + d];
            sc = sc * scale;
            p = TornadoMath.exp(sc - smax[lx]) / ssum[lx];
          }
        }
        pt[ly * QUERIES + lx] = p;
      }
      float dp = 0f;
      for (int d = 0; d < hs; d++) dp += dos[lx * MAX_HEAD + d] * vs[ly * MAX_HEAD + d];
      ds[ly * QUERIES + lx] = pt[ly * QUERIES + lx] * (dp - dd[lx]);
      ctx.localBarrier();
      for (int i = 0; i < MAX_HEAD / QUERIES; i++) {
        int d = lx + QUERIES * i;
        if (d < hs) {
          float a = dk[i];
          float c = dv[i];
          for (int j = 0; j < QUERIES; j++) {
            a += ds[ly * QUERIES + j] * qs[j * MAX_HEAD + d];
            c += pt[ly * QUERIES + j] * dos[j * MAX_HEAD + d];
          }
          dk[i] = a;
          dv[i] = c;
        }
      }
    }
    if (key < T) {
      for (int i = 0; i < MAX_HEAD / QUERIES; i++) {
        int d = lx + QUERIES * i;
        if (d < hs) {
          int o = dqkvo + (b * T + key) * 3 * C + C + h * hs + d;
          m.set(o, scale * dk[i]);
          m.set(o + C, dv[i]);
        }
      }
    }
  }

  // CPU twin of backwardQuery: the same gradient per attention row r = (b*NH + h)*T + t, in the
  // direct form dq = sum_j P_tj (dP_tj - D_t) * scale * k_j: the row is cleared, then added to key by key.
  public static void backwardQueryTwin(FloatArray m, int dqkvo, int douto, int qkvo, int atto, int statso, int ddo,
      int rows, int T, int C, int NH, int hs, float scale) {
    for (int r = 0; r < rows; r++) {
      int b = r / (NH * T);
      int h = (r / T) % NH;
      int t = r % T;
      int dout = douto + (b * T + t) * C + h * hs;
      int dq = dqkvo + (b * T + t) * 3 * C + h * hs;
      float dsum = 0f;
      for (int j = 0; j <= t; j++) {
        dsum += weight(m, atto, statso, qkvo, r, j, T, C, NH, scale)
            * dot(m, dout, qkvo + (b * T + j) * 3 * C + 2 * C + h * hs, hs);
      }
      for (int i = 0; i < hs; i++) m.set(dq + i, 0f);
      for (int j = 0; j <= t; j++) {
        int k = qkvo + (b * T + j) * 3 * C + C + h * hs;
        float ds = weight(m, atto, statso, qkvo, r, j, T, C, NH, scale) * (dot(m, dout, k + C, hs) - dsum) * scale;
        for (int i = 0; i < hs; i++) m.set(dq + i, m.get(dq + i) + ds * m.get(k + i));
      }
      m.set(ddo + r, dsum);
    }
  }

  // CPU twin of backwardKeyValue: per key row (b, h, t2), its dk and dv rows cleared, then added to
  // query by query t >= t2.
  public static void backwardKeyValueTwin(FloatArray m, int dqkvo, int douto, int qkvo, int atto, int statso,
      int ddo, int rows, int T, int C, int NH, int hs, float scale) {
    for (int r = 0; r < rows; r++) {
      int b = r / (NH * T);
      int h = (r / T) % NH;
      int t2 = r % T;
      int rowBase = (b * NH + h) * T;
      int v = qkvo + (b * T + t2) * 3 * C + 2 * C + h * hs;
      int dk = dqkvo + (b * T + t2) * 3 * C + C + h * hs;
      for (int i = 0; i < hs; i++) {
        m.set(dk + i, 0f);
        m.set(dk + C + i, 0f);
      }
      for (int t = t2; t < T; t++) {
        float p = weight(m, atto, statso, qkvo, rowBase + t, t2, T, C, NH, scale);
        int dout = douto + (b * T + t) * C + h * hs;
        int q = qkvo + (b * T + t) * 3 * C + h * hs;
        float ds = p * (dot(m, dout, v, hs) - m.get(ddo + rowBase + t)) * scale;
        for (int i = 0; i < hs; i++) {
          m.set(dk + i, m.get(dk + i) + ds * m.get(q + i));
          m.set(dk + C + i, m.get(dk + C + i) + p * m.get(dout + i));
        }
      }
    }
  }

  /**
   * P of attention row r = (b*NH + h)*T + t at key j <= t (host twins only): read from the weights
   * att (atto >= 0), or recomputed from the row stats at statso as forwardStateTwin saved them.
   */
  private static float weight(FloatArray m, int atto, int statso, int qkvo, int r, int j, int T, int C, int NH,
      float scale) {
    if (atto >= 0) return m.get(atto + r * T + j);
    int hs = C / NH;
    int b = r / (NH * T);
    int h = (r / T) % NH;
    int q = qkvo + (b * T + r % T) * 3 * C + h * hs;
    float sc = FlashAttentionKernels.score(m, q, qkvo + (b * T + j) * 3 * C + C + h * hs, hs, scale);
    return TornadoMath.exp(sc - m.get(statso + 2 * r)) / m.get(statso + 2 * r + 1);
  }

  /** x . y over n floats of m at offsets x and y (host twins only). */
  private static float dot(FloatArray m, int x, int y, int n) {
    float s = 0f;
    for (int i = 0; i < n; i++) s += m.get(x + i) * m.get(y + i);
    return s;
  }

  /**
   * Both passes; P from the weights at atto (statso = -1) or from the attention state at statso
   * (atto = -1); ddo -> D (B*NH*T) scratch.
   */
  static Launch[] launchBackward(BufferKind kind, int dqkvo, int douto, int qkvo, int atto, int statso, int ddo,
      int B, int T, int C, int NH, float scale) {
    int hs = C / NH;
    int rows = B * NH * T;
    int[] grid = {(T + QUERIES - 1) / QUERIES * KEYS, B * NH * QUERIES, KEYS, QUERIES};
    Launch query = new Launch(
        Launch.sig("attentionBackward.flashQuery", kind, dqkvo, douto, qkvo, atto, statso, ddo, B, T, C, NH), false,
        (s, a, ctx) -> s.task(FlashAttentionBackwardKernels::backwardQuery, ctx, a.of(kind), dqkvo, douto, qkvo, atto,
            statso, ddo, T, C, NH, hs, scale),
        (s, a, ctx) -> s.task(FlashAttentionBackwardKernels::backwardQueryTwin, a.of(kind), dqkvo, douto, qkvo, atto,
            statso, ddo, rows, T, C, NH, hs, scale),
        grid, null);
    Launch keyValue = new Launch(
        Launch.sig("attentionBackward.flashKeyValue", kind, dqkvo, douto, qkvo, atto, statso, ddo, B, T, C, NH), false,
        (s, a, ctx) -> s.task(FlashAttentionBackwardKernels::backwardKeyValue, ctx, a.of(kind), dqkvo, douto, qkvo,
            atto, statso, ddo, T, C, NH, hs, scale),
        (s, a, ctx) -> s.task(FlashAttentionBackwardKernels::backwardKeyValueTwin, a.of(kind), dqkvo, douto, qkvo,
            atto, statso, ddo, rows, T, C, NH, hs, scale),
        grid, null);
    return new Launch[] {query, keyValue};
  }
}
