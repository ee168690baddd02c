package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.cpu.CpuScalarMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The host twins of {@link AttentionKernels}' training kernels: the same Java with Math.fma written
 * where the device compiles {@code sum += a * b} to an fma, and the CPU backend's own exp
 * (cpu.CpuScalarMath) for {@link CpuMath}'s, so a step's recording run on the host rounds as its
 * replays on the device and as the CPU backend. Shapes and orders: see each kernel in
 * AttentionKernels; change both together (TornadoVsCpuTest checks host, device and CPU backend agree).
 * Attention row r = (b*NH + h)*T + t; qkv (B,T,3C), head h at channels h*hs .. (h+1)*hs.
 */
final class HostAttentionKernels {
  private HostAttentionKernels() {}

  // AttentionKernels.forward as the host runs it: out (B,T,C), att (B,NH,T,T) softmaxed; qkv (B,T,3C)
  public static void forward(FloatArray m, int outo, int atto, int qkvo, int rows, int T, int C, int NH,
      float scale, int lanes) {
    int hs = C / NH;
    for (int r = 0; r < rows; r++) {
      int b = r / (NH * T);
      int h = (r / T) % NH;
      int t = r % T;
      int q = qkvo + (b * T + t) * 3 * C + h * hs;
      int a = atto + r * T;
      float max = Float.NEGATIVE_INFINITY;
      for (int t2 = 0; t2 <= t; t2++) {
        int k = qkvo + (b * T + t2) * 3 * C + C + h * hs;
        float dot = 0f;
        for (int i = 0; i < hs; i++) dot = Math.fma(m.get(q + i), m.get(k + i), dot);
        m.set(a + t2, dot);
        max = Math.max(max, dot);
      }
      float sum = 0f;
      for (int l = 0; l < lanes; l++) {
        float lane = 0f;
        for (int t2 = l; t2 <= t; t2 += lanes) {
          float e = CpuScalarMath.expNonPositive((m.get(a + t2) - max) * scale);
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
        for (int t2 = 0; t2 <= t; t2++) {
          acc = Math.fma(m.get(a + t2), m.get(qkvo + (b * T + t2) * 3 * C + 2 * C + h * hs + i), acc);
        }
        m.set(o + i, acc);
      }
    }
  }

  // AttentionKernels.backwardScores as the host runs it: dpre (B,NH,T,T); dout (B,T,C), qkv, att
  public static void backwardScores(FloatArray m, int dpreo, int douto, int qkvo, int atto, int rows, int T, int C,
      int NH, float scale, int lanes) {
    int hs = C / NH;
    for (int r = 0; r < rows; r++) {
      int b = r / (NH * T);
      int h = (r / T) % NH;
      int t = r % T;
      int d = douto + (b * T + t) * C + h * hs;
      int a = atto + r * T;
      int p = dpreo + r * T;
      for (int t2 = 0; t2 <= t; t2++) {
        int v = qkvo + (b * T + t2) * 3 * C + 2 * C + h * hs;
        float datt = 0f;
        for (int i = 0; i < hs; i++) datt = Math.fma(m.get(d + i), m.get(v + i), datt);
        m.set(p + t2, datt);
      }
      int n = t + 1;
      int pairEnd = n - n % (2 * lanes);
      int wholeEnd = n - n % lanes;
      float attDotDatt = 0f;
      for (int l = 0; l < lanes; l++) {
        float acc0 = 0f;
        float acc1 = 0f;
        for (int j = l; j < pairEnd; j += 2 * lanes) {
          acc0 = Math.fma(m.get(a + j), m.get(p + j), acc0);
          acc1 = Math.fma(m.get(a + j + lanes), m.get(p + j + lanes), acc1);
        }
        for (int j = pairEnd + l; j < wholeEnd; j += lanes) acc0 = Math.fma(m.get(a + j), m.get(p + j), acc0);
        attDotDatt += acc0 + acc1;
      }
      for (int j = wholeEnd; j < n; j++) attDotDatt += m.get(a + j) * m.get(p + j);
      for (int t2 = 0; t2 <= t; t2++) m.set(p + t2, m.get(a + t2) * (m.get(p + t2) - attDotDatt) * scale);
      for (int t2 = t + 1; t2 < T; t2++) m.set(p + t2, 0f);
    }
  }

  // AttentionKernels.backwardQuery as the host runs it: dq = sum over t2 <= t of dpre[t,t2] * k[t2]
  public static void backwardQuery(FloatArray m, int dqkvo, int dpreo, int qkvo, int rows, int T, int C, int NH,
      int hs) {
    for (int r = 0; r < rows; r++) {
      int b = r / (NH * T);
      int h = (r / T) % NH;
      int t = r % T;
      for (int i = 0; i < hs; i++) {
        float sum = 0f;
        for (int t2 = 0; t2 <= t; t2++) {
          sum = Math.fma(m.get(dpreo + r * T + t2), m.get(qkvo + (b * T + t2) * 3 * C + C + h * hs + i), sum);
        }
        m.set(dqkvo + (b * T + t) * 3 * C + h * hs + i, sum);
      }
    }
  }

  // AttentionKernels.backwardKeyValue as the host runs it: dk = sum over t >= t2 of dpre[t,t2] * q[t],
  // dv = sum over t >= t2 of att[t,t2] * dout[t]
  public static void backwardKeyValue(FloatArray m, int dqkvo, int dpreo, int douto, int qkvo, int atto, int rows,
      int T, int C, int NH, int hs) {
    for (int r = 0; r < rows; r++) {
      int b = r / (NH * T);
      int h = (r / T) % NH;
      int t2 = r % T;
      int rowBase = (b * NH + h) * T; // attention row of query t is rowBase + t
      for (int i = 0; i < hs; i++) {
        float dk = 0f;
        float dv = 0f;
        for (int t = t2; t < T; t++) {
          int w = (rowBase + t) * T + t2;
          dk = Math.fma(m.get(dpreo + w), m.get(qkvo + (b * T + t) * 3 * C + h * hs + i), dk);
          dv = Math.fma(m.get(atto + w), m.get(douto + (b * T + t) * C + h * hs + i), dv);
        }
        int dkIndex = dqkvo + (b * T + t2) * 3 * C + C + h * hs + i;
        m.set(dkIndex, dk);
        m.set(dkIndex + C, dv);
      }
    }
  }
}
