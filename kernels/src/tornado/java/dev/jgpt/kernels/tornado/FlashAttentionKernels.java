package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Causal attention forward for GPUs, flash style: one work group per (b, h, tile of
 * {@link #QUERIES} queries) walks the key tiles up to its last query, staging K and V tiles of
 * {@link #KEYS} positions in local memory, and keeps each query's running max, sum and output in
 * registers and local memory (online softmax): the output never waits for a full row of scores
 * in global memory, and each K/V element is read once per query tile instead of once per query.
 * Layout as {@link AttentionKernels}: qkv (B,T,3C) holds q | k | v, head h uses channels
 * h*hs .. (h+1)*hs, hs = C/NH; attention row r = (b*NH + h)*T + t.
 *
 * <p>Each row's max and sum go to a stats buffer. Where the caller reads the weights (att of
 * (B,NH,T,T): the attention inspector), the kernel also writes each visible raw score to att as it
 * goes, and {@link #normalizeWeights} then turns the scores into weights, one coalesced elementwise
 * pass; the stats are then scratch. Where nobody reads them (training: att is the backend's
 * attention state, {@link dev.jgpt.kernels.Backend#attentionStateSize}), atto = -1, the stats are
 * that state, one pair per row and layer, and {@link FlashAttentionBackwardKernels} recomputes the
 * weights from them: no (B,NH,T,T) tensor is written at all.
 *
 * <p>Buffers: one float array {@code m}, the kind all its tensors share (see {@link Arena});
 * offsets outo -> out (B,T,C) activation, atto -> att (B,NH,T,T) activation, statso -> row stats
 * (B*NH*T, 2) backend scratch (in the activations), qkvo -> qkv (B,T,3C) activation.
 */
public final class FlashAttentionKernels {
  private FlashAttentionKernels() {}

  /** Queries per work group (its y extent). */
  public static final int QUERIES = 16;

  /** Keys per tile (the work group's x extent; each item scores one key per tile). */
  public static final int KEYS = 16;

  /** The largest head size the local tiles hold (GPT-2: 64). */
  public static final int MAX_HEAD = 128;

  /** Whether the flash kernel takes heads of size hs. */
  static boolean fits(int hs) {
    return hs <= MAX_HEAD;
  }

  // out (B,T,C) = softmax(q k^T * scale, causal) v per head; att (B,NH,T,T) gets the raw scaled
  // scores of keys t2 <= t (when atto >= 0); stats (B*NH*T, 2) the row max and sum of exp(score - max).
  // Grid (tiles(T) * KEYS, B*NH * QUERIES), local (KEYS, QUERIES): group (x, y) = (query tile, b*NH + h);
  // item (lx, ly): query qt*QUERIES + ly, key k0 + lx of each tile, output channels lx + KEYS*i.
  public static void forward(KernelContext ctx, FloatArray m, int outo, int atto, int statso, int qkvo, int T, int C,
      int NH, int hs, float scale) {
    int lx = ctx.localIdx;
    int ly = ctx.localIdy;
    int lid = ly * KEYS + lx;
    int q0 = ctx.groupIdx * QUERIES;
    int bh = ctx.groupIdy;
    int b = bh / NH;
    int h = bh % NH;
    int t = q0 + ly;
    int tq = TornadoMath.min(t, T - 1); // rows past T in the last tile compute row T-1 and write nothing
    float[] qs = ctx.allocateFloatLocalArray(QUERIES * MAX_HEAD); // [query][channel]
    float[] ks = ctx.allocateFloatLocalArray(KEYS * MAX_HEAD); // [key][channel]
    float[] vs = ctx.allocateFloatLocalArray(KEYS * MAX_HEAD); // [key][channel]
    float[] p = ctx.allocateFloatLocalArray(QUERIES * KEYS); // [query][key]: scores, then exp(score - max)
    float[] rowMax = ctx.allocateFloatLocalArray(QUERIES); // running max per query
    float[] rowSum = ctx.allocateFloatLocalArray(QUERIES); // running sum of exp(score - max)
    float[] rowCorr = ctx.allocateFloatLocalArray(QUERIES); // exp(old max - new max) of this tile
    float[] acc = new float[MAX_HEAD / KEYS]; // this item's output channels lx + KEYS*i, unnormalized
    for (int i = 0; i < MAX_HEAD / KEYS; i++) acc[i] = 0f;
    // The q tile, consecutive items on consecutive channels (coalesced).
    for (int e = lid; e < QUERIES * hs; e += QUERIES * KEYS) {
      int row = e / hs;
      int d = e % hs;
      int tt = TornadoMath.min(q0 + row, T - 1);
      qs[row * MAX_HEAD + d] = m.get(qkvo + (b * T + tt) * 3 * C + h * hs + d);
    }
    if (lx == 0) {
      rowMax[ly] = Float.NEGATIVE_INFINITY;
      rowSum[ly] = 0f;
    }
    int lastQuery = TornadoMath.min(q0 + QUERIES, T) - 1;
    for (int k0 = 0; k0 <= lastQuery; k0 += KEYS) {
      ctx.localBarrier(); // the previous tile is used up (first time: q tile and row state are in)
      for (int e = lid; e < KEYS * hs; e += QUERIES * KEYS) {
        int row = e / hs;
        int d = e % hs;
        int key = TornadoMath.min(k0 + row, T - 1);
        int kv = qkvo + (b * T + key) * 3 * C + h * hs + d;
        ks[row * MAX_HEAD + d] = m.get(kv + C);
        vs[row * MAX_HEAD + d] = m.get(kv + 2 * C);
      }
      ctx.localBarrier();
      int key = k0 + lx;
      float s = 0f;
      for (int d = 0; d < hs; d++) s += qs[ly * MAX_HEAD + d] * ks[lx * MAX_HEAD + d];
      s = s * scale;
      float masked = Float.NEGATIVE_INFINITY;
      if (key <= tq) {
        masked = s;
        if (t < T) {
          if (atto >= 0) m.set(atto + (bh * T + t) * T + key, s);
        }
      }
      p[ly * KEYS + lx] = masked;
      ctx.localBarrier();
      if (lx == 0) {
        // Key 0 is in the first tile and visible to every query: the max is finite from then on.
        float old = rowMax[ly];
        float max = old;
        for (int j = 0; j < KEYS; j++) max = TornadoMath.max(max, p[ly * KEYS + j]);
        rowCorr[ly] = TornadoMath.exp(old - max);
        rowMax[ly] = max;
      }
      ctx.localBarrier();
      float e = 0f;
      if (key <= tq) e = TornadoMath.exp(s - rowMax[ly]);
      p[ly * KEYS + lx] = e;
      ctx.localBarrier();
      float corr = rowCorr[ly];
      if (lx == 0) {
        float sum = 0f;
        for (int j = 0; j < KEYS; j++) sum += p[ly * KEYS + j];
        rowSum[ly] = rowSum[ly] * corr + sum;
      }
      for (int i = 0; i < MAX_HEAD / KEYS; i++) {
        int d = lx + KEYS * i;
        if (d < hs) {
          float a = acc[i] * corr;
          for (int j = 0; j < KEYS; j++) a += p[ly * KEYS + j] * vs[j * MAX_HEAD + d];
          acc[i] = a;
        }
      }
    }
    ctx.localBarrier(); // rowSum is final
    if (t < T) {
      float sum = rowSum[ly];
      for (int i = 0; i < MAX_HEAD / KEYS; i++) {
        int d = lx + KEYS * i;
        if (d < hs) m.set(outo + (b * T + t) * C + h * hs + d, acc[i] / sum);
      }
      if (lx == 0) {
        m.set(statso + 2 * (bh * T + t), rowMax[ly]);
        m.set(statso + 2 * (bh * T + t) + 1, sum);
      }
    }
  }

  // att (B,NH,T,T): the raw scores of row r = (b*NH + h)*T + t become exp(score - max_r) / sum_r for
  // t2 <= t and 0 above the diagonal; stats (rows, 2) from forward. One work item per element.
  public static void normalizeWeights(FloatArray m, int atto, int statso, int rows, int T) {
    for (@Parallel int idx = 0; idx < rows * T; idx++) {
      int r = idx / T;
      int t2 = idx % T;
      float w = 0f;
      if (t2 <= r % T) w = TornadoMath.exp(m.get(atto + idx) - m.get(statso + 2 * r)) / m.get(statso + 2 * r + 1);
      m.set(atto + idx, w);
    }
  }

  // CPU twin of forward without weights: out (B,T,C) and stats (rows, 2), each row's max and sum of
  // exp(score - max), as forward leaves them; qkv (B,T,3C). The scores are those of
  // FlashAttentionBackwardKernels' twins (the same dot products in the same order).
  public static void forwardStateTwin(FloatArray m, int outo, int statso, int qkvo, int rows, int T, int C, int NH,
      float scale) {
    int hs = C / NH;
    for (int r = 0; r < rows; r++) {
      int b = r / (NH * T);
      int h = (r / T) % NH;
      int t = r % T;
      int q = qkvo + (b * T + t) * 3 * C + h * hs;
      float max = Float.NEGATIVE_INFINITY;
      int k0 = qkvo + b * T * 3 * C + C + h * hs; // key t2 at k0 + t2*3C, its value C further
      for (int t2 = 0; t2 <= t; t2++) max = TornadoMath.max(max, score(m, q, k0 + t2 * 3 * C, hs, scale));
      float sum = 0f;
      for (int t2 = 0; t2 <= t; t2++) sum += TornadoMath.exp(score(m, q, k0 + t2 * 3 * C, hs, scale) - max);
      int o = outo + (b * T + t) * C + h * hs;
      for (int i = 0; i < hs; i++) m.set(o + i, 0f);
      for (int t2 = 0; t2 <= t; t2++) {
        int k = k0 + t2 * 3 * C;
        float w = TornadoMath.exp(score(m, q, k, hs, scale) - max) / sum;
        for (int i = 0; i < hs; i++) m.set(o + i, m.get(o + i) + w * m.get(k + C + i));
      }
      m.set(statso + 2 * r, max);
      m.set(statso + 2 * r + 1, sum);
    }
  }

  /** q . k * scale over hs floats of m at offsets q and k, summed in channel order (host twins). */
  static float score(FloatArray m, int q, int k, int hs, float scale) {
    float s = 0f;
    for (int d = 0; d < hs; d++) s += m.get(q + d) * m.get(k + d);
    return s * scale;
  }

  /**
   * The flash forward without weights: statso -> the attention state (B*NH*T, 2), the rows' max
   * and sum, in att itself (per layer: the backward reads it).
   */
  static Launch launchForwardState(BufferKind kind, int outo, int statso, int qkvo, int B, int T, int C, int NH,
      float scale) {
    int hs = C / NH;
    int rows = B * NH * T;
    int tiles = (T + QUERIES - 1) / QUERIES;
    return new Launch(Launch.sig("attentionForward.flashState", kind, outo, statso, qkvo, B, T, C, NH), false,
        (s, a, ctx) -> s.task(FlashAttentionKernels::forward, ctx, a.of(kind), outo, -1, statso, qkvo, T, C, NH, hs,
            scale),
        (s, a, ctx) -> s.task(FlashAttentionKernels::forwardStateTwin, a.of(kind), outo, statso, qkvo, rows, T, C, NH,
            scale),
        new int[] {tiles * KEYS, B * NH * QUERIES, KEYS, QUERIES}, null);
  }

  /**
   * The flash forward and the weights pass. On the host the plain {@link HostAttentionKernels#forward}
   * runs instead and writes out and the finished weights itself, so the weights pass does nothing
   * there (the stats are the device's own business).
   */
  static Launch[] launchForward(BufferKind kind, int outo, int atto, int statso, int qkvo, int B, int T, int C, int NH,
      float scale) {
    int hs = C / NH;
    int rows = B * NH * T;
    int tiles = (T + QUERIES - 1) / QUERIES;
    Launch flash = new Launch(Launch.sig("attentionForward.flash", kind, outo, atto, statso, qkvo, B, T, C, NH), false,
        (s, a, ctx) -> s.task(FlashAttentionKernels::forward, ctx, a.of(kind), outo, atto, statso, qkvo, T, C, NH, hs,
            scale),
        (s, a, ctx) -> s.task(HostAttentionKernels::forward, a.of(kind), outo, atto, qkvo, rows, T, C, NH, scale,
            Rounding.cpuLanes()),
        new int[] {tiles * KEYS, B * NH * QUERIES, KEYS, QUERIES}, null);
    Launch weights = new Launch(Launch.sig("attentionForward.weights", kind, atto, statso, B, T, NH), false,
        (s, a, ctx) -> s.task(FlashAttentionKernels::normalizeWeights, a.of(kind), atto, statso, rows, T),
        (s, a, ctx) -> {}, null, null);
    return new Launch[] {flash, weights};
  }
}
