package dev.jgpt.kernels;

/**
 * Forward passes in double precision, written independently of {@link ReferenceKernels}: the
 * finite-difference tests differentiate these (exact to ~1e-10) and compare with the float
 * backward kernels. Arrays here have no offsets; shapes as in the kernel comments.
 */
final class DoubleForward {
  private DoubleForward() {}

  // out (B,T,C) = wte[inp] + wpe[t]
  static double[] encoder(int[] inp, double[] wte, double[] wpe, int B, int T, int C) {
    double[] out = new double[B * T * C];
    for (int bt = 0; bt < B * T; bt++) {
      int t = bt % T;
      for (int c = 0; c < C; c++) out[bt * C + c] = wte[inp[bt] * C + c] + wpe[t * C + c];
    }
    return out;
  }

  // out (N,C) = (x - mean) / sqrt(var + eps) * w + b
  static double[] layernorm(double[] inp, double[] w, double[] b, int N, int C) {
    double[] out = new double[N * C];
    for (int n = 0; n < N; n++) {
      double mean = 0, var = 0;
      for (int c = 0; c < C; c++) mean += inp[n * C + c];
      mean /= C;
      for (int c = 0; c < C; c++) var += (inp[n * C + c] - mean) * (inp[n * C + c] - mean);
      var /= C;
      for (int c = 0; c < C; c++) {
        out[n * C + c] = (inp[n * C + c] - mean) / Math.sqrt(var + 1e-5) * w[c] + (b == null ? 0 : b[c]);
      }
    }
    return out;
  }

  // out (N,OC) = inp (N,C) W (OC,C)^T + bias
  static double[] matmul(double[] inp, double[] w, double[] bias, int N, int C, int OC) {
    double[] out = new double[N * OC];
    for (int n = 0; n < N; n++) {
      for (int o = 0; o < OC; o++) {
        double s = bias == null ? 0 : bias[o];
        for (int c = 0; c < C; c++) s += inp[n * C + c] * w[o * C + c];
        out[n * OC + o] = s;
      }
    }
    return out;
  }

  // out (B,T,C): causal softmax(q k^T / sqrt(hs)) v per head; qkv (B,T,3C)
  static double[] attention(double[] qkv, int B, int T, int C, int NH) {
    int hs = C / NH;
    double[] out = new double[B * T * C];
    for (int b = 0; b < B; b++) {
      for (int h = 0; h < NH; h++) {
        for (int t = 0; t < T; t++) {
          double[] w = new double[t + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int s = 0; s <= t; s++) {
            double dot = 0;
            for (int i = 0; i < hs; i++) {
              dot += qkv[(b * T + t) * 3 * C + h * hs + i] * qkv[(b * T + s) * 3 * C + C + h * hs + i];
            }
            w[s] = dot / Math.sqrt(hs);
            max = Math.max(max, w[s]);
          }
          double sum = 0;
          for (int s = 0; s <= t; s++) sum += (w[s] = Math.exp(w[s] - max));
          for (int i = 0; i < hs; i++) {
            double acc = 0;
            for (int s = 0; s <= t; s++) acc += w[s] / sum * qkv[(b * T + s) * 3 * C + 2 * C + h * hs + i];
            out[(b * T + t) * C + h * hs + i] = acc;
          }
        }
      }
    }
    return out;
  }

  static double[] gelu(double[] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = 0.5 * x[i] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x[i] + 0.044715 * x[i] * x[i] * x[i])));
    }
    return out;
  }

  // losses (N) = logsumexp(row[0..V)) - row[target]
  static double[] crossEntropy(double[] logits, int[] targets, int N, int V, int Vp) {
    double[] losses = new double[N];
    for (int n = 0; n < N; n++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < V; i++) max = Math.max(max, logits[n * Vp + i]);
      double sum = 0;
      for (int i = 0; i < V; i++) sum += Math.exp(logits[n * Vp + i] - max);
      losses[n] = Math.log(sum) + max - logits[n * Vp + targets[n]];
    }
    return losses;
  }
}
