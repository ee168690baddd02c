package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Causal multi-head self-attention. qkv (B,T,3C) holds q | k | v per position; head h uses channels
 * h*hs .. (h+1)*hs of each, hs = C/NH. An attention row r = (b*NH + h)*T + t is one query; its
 * weights are att[r*T .. r*T + T). The backward pass is in gather form: dq per query row, dk and
 * dv per key row, from the score gradients dpre (B,NH,T,T) of a first pass; no atomics. GPUs run
 * {@link FlashAttentionKernels} and {@link FlashAttentionBackwardKernels} for training instead
 * (tiled, no dpre); the decode kernels here serve both.
 *
 * <p>The training kernels add and round as the CPU backend's attention (cpu.CpuAttention,
 * cpu.CausalSoftmax), so that CPU OpenCL devices give its bits: every product sum is one fused
 * chain from 0 in the CPU's order (each {@code sum += a * b} compiles to an fma on the device), the
 * softmax takes the unscaled scores, exp((score - max) * scale) by the CPU's exp steps
 * ({@link CpuMath}), sums them in as many lanes as the CPU's vectors and multiplies by 1/sum, and the
 * backward's att . datt is the CPU's two-accumulator dot product. The host runs
 * {@link HostAttentionKernels}, the same with Math.fma where the device fuses.
 */
public final class AttentionKernels {
  private AttentionKernels() {}

  // out (B,T,C), att (B,NH,T,T) softmaxed (0 above the diagonal); qkv (B,T,3C); rows = B*NH*T,
  // scale = 1/sqrt(hs); lanes: the CPU's vector length. One work item per attention row.
  public static void forward(FloatArray m, int outo, int atto, int qkvo, int rows, int T, int C, int NH,
      float scale, int lanes) {
    for (@Parallel int r = 0; r < rows; r++) {
      int hs = C / NH;
      int b = r / (NH * T);
      int h = (r / T) % NH;
      int t = r % T;
      int q = qkvo + (b * T + t) * 3 * C + h * hs;
      int a = atto + r * T;
      float max = Float.NEGATIVE_INFINITY;
      for (int t2 = 0; t2 <= t; t2++) {
        int k = qkvo + (b * T + t2) * 3 * C + C + h * hs;
        float dot = 0f;
        for (int i = 0; i < hs; i++) dot += m.get(q + i) * m.get(k + i);
        m.set(a + t2, dot); // unscaled: the softmax scales after subtracting the max, as the CPU's
        max = TornadoMath.max(max, dot);
      }
      // lane l sums keys l, l + lanes, ... in order; the lanes are added left to right
      float sum = 0f;
      for (int l = 0; l < lanes; l++) {
        float lane = 0f;
        for (int t2 = l; t2 <= t; t2 += lanes) {
          float e = CpuMath.expNonPositive((m.get(a + t2) - max) * scale);
          m.set(a + t2, e);
          lane += e;
        }
        sum += lane;
      }
      float inverse = 1f / sum;
      for (int t2 = 0; t2 <= t; t2++) m.set(a + t2, m.get(a + t2) * inverse);
      for (int t2 = t + 1; t2 < T; t2++) m.set(a + t2, 0f);
      int o = outo + (b * T + t) * C + h * hs;
      for (int i = 0; i < hs; i++) {
        float acc = 0f;
        for (int t2 = 0; t2 <= t; t2++) acc += m.get(a + t2) * m.get(qkvo + (b * T + t2) * 3 * C + 2 * C + h * hs + i);
        m.set(o + i, acc);
      }
    }
  }

  static Launch launchAttentionForward(BufferKind kind, int outo, int atto, int qkvo, int B, int T, int C, int NH,
      float scale) {
    int rows = B * NH * T;
    int lanes = Rounding.cpuLanes();
    return new Launch(Launch.sig("attentionForward", kind, outo, atto, qkvo, B, T, C, NH), false,
        (s, a, ctx) -> s.task(AttentionKernels::forward, a.of(kind), outo, atto, qkvo, rows, T, C, NH, scale, lanes),
        (s, a, ctx) -> s.task(HostAttentionKernels::forward, a.of(kind), outo, atto, qkvo, rows, T, C, NH, scale,
            lanes),
        null, null);
  }

  // dpre (B,NH,T,T) = gradient of the pre-softmax scores: datt[t2] = dout[t] . v[t2], then
  // dpre[t2] = att[t2] * (datt[t2] - sum_j att[j] datt[j]) * scale for t2 <= t, 0 above;
  // dout (B,T,C), qkv (B,T,3C), att (B,NH,T,T); lanes: the CPU's vector length. One work item per
  // attention row.
  public static void backwardScores(FloatArray m, int dpreo, int douto, int qkvo, int atto, int rows, int T, int C,
      int NH, float scale, int lanes) {
    for (@Parallel int r = 0; r < rows; r++) {
      int hs = C / NH;
      int b = r / (NH * T);
      int h = (r / T) % NH;
      int t = r % T;
      int d = douto + (b * T + t) * C + h * hs;
      int a = atto + r * T;
      int p = dpreo + r * T;
      for (int t2 = 0; t2 <= t; t2++) {
        int v = qkvo + (b * T + t2) * 3 * C + 2 * C + h * hs;
        float datt = 0f;
        for (int i = 0; i < hs; i++) datt += m.get(d + i) * m.get(v + i);
        m.set(p + t2, datt);
      }
      // att . datt over n = t + 1 keys as cpu.Dot.dot: lane l of two accumulators over pairs of whole
      // vectors, one more whole vector into the first; each lane's two added, the lanes left to
      // right; then the tail, its products rounded
      int n = t + 1;
      int pairEnd = n - n % (2 * lanes);
      int wholeEnd = n - n % lanes;
      float attDotDatt = 0f;
      for (int l = 0; l < lanes; l++) {
        float acc0 = 0f;
        float acc1 = 0f;
        for (int j = l; j < pairEnd; j += 2 * lanes) {
          acc0 += m.get(a + j) * m.get(p + j);
          acc1 += m.get(a + j + lanes) * m.get(p + j + lanes);
        }
        for (int j = pairEnd + l; j < wholeEnd; j += lanes) acc0 += m.get(a + j) * m.get(p + j);
        attDotDatt += acc0 + acc1;
      }
      for (int j = wholeEnd; j < n; j++) attDotDatt = Rounding.addRounded(attDotDatt, m.get(a + j) * m.get(p + j));
      for (int t2 = 0; t2 <= t; t2++) m.set(p + t2, m.get(a + t2) * (m.get(p + t2) - attDotDatt) * scale);
      for (int t2 = t + 1; t2 < T; t2++) m.set(p + t2, 0f);
    }
  }

  static Launch launchAttentionBackwardScores(BufferKind kind, int dpreo, int douto, int qkvo, int atto, int B,
      int T, int C, int NH,
      float scale) {
    int rows = B * NH * T;
    int lanes = Rounding.cpuLanes();
    return new Launch(Launch.sig("attentionBackward.scores", kind, dpreo, douto, qkvo, atto, B, T, C, NH), false,
        (s, a, ctx) -> s.task(AttentionKernels::backwardScores, a.of(kind), dpreo, douto, qkvo, atto, rows, T, C, NH,
            scale, lanes),
        (s, a, ctx) -> s.task(HostAttentionKernels::backwardScores, a.of(kind), dpreo, douto, qkvo, atto, rows, T, C,
            NH, scale, lanes),
        null, null);
  }

  // dq (B,T,NH,hs inside 3C) = sum over t2 <= t of dpre[t,t2] * k[t2] (written); one work item per
  // (query row, channel i < hs = C/NH)
  public static void backwardQuery(FloatArray m, int dqkvo, int dpreo, int qkvo, int rows, int T, int C, int NH,
      int hs) {
    for (@Parallel int r = 0; r < rows; r++) {
      for (@Parallel int i = 0; i < hs; i++) {
        int b = r / (NH * T);
        int h = (r / T) % NH;
        int t = r % T;
        float sum = 0f;
        for (int t2 = 0; t2 <= t; t2++) {
          sum += m.get(dpreo + r * T + t2) * m.get(qkvo + (b * T + t2) * 3 * C + C + h * hs + i);
        }
        int dq = dqkvo + (b * T + t) * 3 * C + h * hs + i;
        m.set(dq, sum);
      }
    }
  }

  static Launch launchAttentionBackwardQuery(BufferKind kind, int dqkvo, int dpreo, int qkvo, int B, int T, int C,
      int NH) {
    int rows = B * NH * T;
    int hs = C / NH;
    return new Launch(Launch.sig("attentionBackward.query", kind, dqkvo, dpreo, qkvo, B, T, C, NH), false,
        (s, a, ctx) -> s.task(AttentionKernels::backwardQuery, a.of(kind), dqkvo, dpreo, qkvo, rows, T, C, NH, hs),
        (s, a, ctx) -> s.task(HostAttentionKernels::backwardQuery, a.of(kind), dqkvo, dpreo, qkvo, rows, T, C, NH,
            hs),
        null, null);
  }

  // dk = sum over queries t >= t2 of dpre[t,t2] * q[t]; dv = sum over t >= t2 of att[t,t2] * dout[t] (written);
  // one work item per (key row (b,h,t2), channel i); dout (B,T,C), att (B,NH,T,T)
  public static void backwardKeyValue(FloatArray m, int dqkvo, int dpreo, int douto, int qkvo, int atto, int rows,
      int T, int C, int NH, int hs) {
    for (@Parallel int r = 0; r < rows; r++) {
      for (@Parallel int i = 0; i < hs; i++) {
        int b = r / (NH * T);
        int h = (r / T) % NH;
        int t2 = r % T;
        int rowBase = (b * NH + h) * T; // attention row of query t is rowBase + t
        float dk = 0f;
        float dv = 0f;
        for (int t = t2; t < T; t++) {
          int w = (rowBase + t) * T + t2;
          dk += m.get(dpreo + w) * m.get(qkvo + (b * T + t) * 3 * C + h * hs + i);
          dv += m.get(atto + w) * m.get(douto + (b * T + t) * C + h * hs + i);
        }
        int dkIndex = dqkvo + (b * T + t2) * 3 * C + C + h * hs + i;
        m.set(dkIndex, dk);
        m.set(dkIndex + C, dv);
      }
    }
  }

  static Launch launchAttentionBackwardKeyValue(BufferKind kind, int dqkvo, int dpreo, int douto, int qkvo,
      int atto, int B, int T, int C,
      int NH) {
    int rows = B * NH * T;
    int hs = C / NH;
    return new Launch(Launch.sig("attentionBackward.keyValue", kind, dqkvo, dpreo, douto, qkvo, atto, B, T, C, NH),
        false,
        (s, a, ctx) -> s.task(AttentionKernels::backwardKeyValue, a.of(kind), dqkvo, dpreo, douto, qkvo, atto, rows,
            T, C, NH, hs),
        (s, a, ctx) -> s.task(HostAttentionKernels::backwardKeyValue, a.of(kind), dqkvo, dpreo, douto, qkvo, atto,
            rows, T, C, NH, hs),
        null, null);
  }

  // kcache, vcache (maxT,C): row p = pos[0] gets k and v of qkv (3C)
  public static void decodeCache(FloatArray m, IntArray ix, int qkvo, int kcacheo, int vcacheo, int poso, int C) {
    for (@Parallel int c = 0; c < C; c++) {
      int p = ix.get(poso);
      m.set(kcacheo + p * C + c, m.get(qkvo + C + c));
      m.set(vcacheo + p * C + c, m.get(qkvo + 2 * C + c));
    }
  }

  static Launch launchAttentionDecodeCache(BufferKind kind, int qkvo, int kco, int vco, int poso, int C) {
    return Launch.parallelWithInts(Launch.sig("attentionDecode.cache", kind, qkvo, kco, vco, poso, C),
        (s, a, ctx) -> s.task(AttentionKernels::decodeCache, a.of(kind), a.ints(), qkvo, kco, vco, poso, C));
  }

  // att (NH,maxT) = softmax(q . kcache[0..p] * scale) per head, p = pos[0]; one work item per head
  public static void decodeScores(FloatArray m, IntArray ix, int atto, int qkvo, int kcacheo, int poso, int maxT,
      int C, int NH, float scale) {
    for (@Parallel int h = 0; h < NH; h++) {
      int hs = C / NH;
      int p = ix.get(poso);
      int a = atto + h * maxT;
      float max = Float.NEGATIVE_INFINITY;
      for (int t2 = 0; t2 <= p; t2++) {
        float dot = 0f;
        for (int i = 0; i < hs; i++) dot += m.get(qkvo + h * hs + i) * m.get(kcacheo + t2 * C + h * hs + i);
        m.set(a + t2, dot * scale);
        max = TornadoMath.max(max, dot * scale);
      }
      float sum = 0f;
      for (int t2 = 0; t2 <= p; t2++) {
        float e = TornadoMath.exp(m.get(a + t2) - max);
        m.set(a + t2, e);
        sum += e;
      }
      for (int t2 = 0; t2 <= p; t2++) m.set(a + t2, m.get(a + t2) / sum);
    }
  }

  static Launch launchAttentionDecodeScores(BufferKind kind, int atto, int qkvo, int kco, int poso, int maxT, int C,
      int NH, float scale) {
    return Launch.parallelWithInts(Launch.sig("attentionDecode.scores", kind, atto, qkvo, kco, poso, maxT, C, NH),
        (s, a, ctx) -> s.task(AttentionKernels::decodeScores, a.of(kind), a.ints(), atto, qkvo, kco, poso, maxT, C,
            NH, scale));
  }

  // out (C) = att (NH,maxT) @ vcache[0..p] per head; one work item per (head, channel)
  public static void decodeOutput(FloatArray m, IntArray ix, int outo, int atto, int vcacheo, int poso, int maxT,
      int C, int NH, int hs) {
    for (@Parallel int h = 0; h < NH; h++) {
      for (@Parallel int i = 0; i < hs; i++) {
        int p = ix.get(poso);
        float acc = 0f;
        for (int t2 = 0; t2 <= p; t2++) acc += m.get(atto + h * maxT + t2) * m.get(vcacheo + t2 * C + h * hs + i);
        m.set(outo + h * hs + i, acc);
      }
    }
  }

  static Launch launchAttentionDecodeOutput(BufferKind kind, int outo, int atto, int vco, int poso, int maxT, int C,
      int NH) {
    int hs = C / NH;
    return Launch.parallelWithInts(Launch.sig("attentionDecode.output", kind, outo, atto, vco, poso, maxT, C, NH),
        (s, a, ctx) -> s.task(AttentionKernels::decodeOutput, a.of(kind), a.ints(), outo, atto, vco, poso, maxT, C,
            NH, hs));
  }
}
