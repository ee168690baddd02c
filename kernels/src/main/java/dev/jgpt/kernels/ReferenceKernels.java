package dev.jgpt.kernels;

/**
 * The specification: every kernel as plain scalar loops over flat arrays, written for clarity
 * (llm.c's {@code train_gpt2.c} shape). Each array argument comes with its offset ({@code xo}
 * is the offset of {@code x}); the shape comment on top of each kernel gives the layout from
 * that offset. The fast CPU and GPU kernels are tested against these.
 *
 * <p>Forward kernels overwrite their outputs. Backward kernels add into the gradients of
 * parameters and into layer norm's dinp (the residual stream), and write every other input
 * gradient (the {@link Backend} contract; each kernel's shape comment says {@code =} or
 * {@code +=}). Each backward kernel starts from what its forward pass computed and derives every
 * gradient from it by the chain rule ("in the forward pass this was out = ..., so dinp = ..."),
 * with {@code dx} the gradient of the loss with respect to {@code x}. The order of the arithmetic
 * fixes the last bits that tests and golden files pin down: a comment may restate a formula,
 * the code keeps its evaluation order. Arguments are not checked here ({@link CheckedBackend} does that).
 */
public final class ReferenceKernels {
  private ReferenceKernels() {}

  /** Layer-norm epsilon, as GPT-2. */
  public static final float LAYERNORM_EPS = 1e-5f;
  /** sqrt(2/pi), the GELU tanh-approximation constant. */
  public static final float GELU_SCALE = (float) Math.sqrt(2.0 / Math.PI);
  /** 0.044715, the cubic term's coefficient in the GELU tanh approximation. */
  public static final float GELU_CUBIC = 0.044715f;
  /** Clip-factor epsilon, as PyTorch's clip_grad_norm_. */
  public static final float CLIP_EPS = 1e-6f;

  // ------------------------------------------------------------------ embeddings

  // out (B,T,C), inp (B,T) token ids, wte (V,C), wpe (maxT,C)
  public static void encoderForward(float[] out, int outo, int[] inp, int inpo, float[] wte, int wteo,
      float[] wpe, int wpeo, int B, int T, int C) {
    for (int b = 0; b < B; b++) {
      for (int t = 0; t < T; t++) {
        int token = inp[inpo + b * T + t];
        int o = outo + (b * T + t) * C;
        for (int c = 0; c < C; c++) {
          out[o + c] = wte[wteo + token * C + c] + wpe[wpeo + t * C + c];
        }
      }
    }
  }

  // dwte (V,C) +=, dwpe (maxT,C) +=; dout (B,T,C), inp (B,T)
  // In the forward pass this was out[b,t,:] = wte[inp[b,t],:] + wpe[t,:], a plain sum of two rows,
  // so each row's gradient is dout[b,t,:] unchanged: dwte[inp[b,t],:] += dout[b,t,:] (a token seen
  // twice collects both) and dwpe[t,:] += dout[b,t,:] (summed over the batch).
  public static void encoderBackward(float[] dwte, int dwteo, float[] dwpe, int dwpeo, float[] dout, int douto,
      int[] inp, int inpo, int B, int T, int C) {
    for (int b = 0; b < B; b++) {
      for (int t = 0; t < T; t++) {
        int token = inp[inpo + b * T + t];
        int d = douto + (b * T + t) * C;
        for (int c = 0; c < C; c++) {
          dwte[dwteo + token * C + c] += dout[d + c];
          dwpe[dwpeo + t * C + c] += dout[d + c];
        }
      }
    }
  }

  // out (C) = wte[token[0]] + wpe[pos[0]]; wte (V,C), wpe (maxT,C)
  public static void encoderDecode(float[] out, int outo, int[] token, int tokeno, int[] pos, int poso,
      float[] wte, int wteo, float[] wpe, int wpeo, int C) {
    int tk = token[tokeno];
    int p = pos[poso];
    for (int c = 0; c < C; c++) {
      out[outo + c] = wte[wteo + tk * C + c] + wpe[wpeo + p * C + c];
    }
  }

  // ------------------------------------------------------------------ layer norm

  // out (N,C), mean (N), rstd (N); inp (N,C), weight (C), bias (C) or null
  public static void layernormForward(float[] out, int outo, float[] mean, int meano, float[] rstd, int rstdo,
      float[] inp, int inpo, float[] weight, int weighto, float[] bias, int biaso, int N, int C) {
    for (int n = 0; n < N; n++) {
      int x = inpo + n * C;
      float sum = 0f;
      for (int c = 0; c < C; c++) sum += inp[x + c];
      float m = sum / C;
      float var = 0f;
      for (int c = 0; c < C; c++) {
        float d = inp[x + c] - m;
        var += d * d;
      }
      float s = (float) (1.0 / Math.sqrt(var / C + LAYERNORM_EPS));
      for (int c = 0; c < C; c++) {
        float norm = (inp[x + c] - m) * s;
        float b = bias == null ? 0f : bias[biaso + c];
        out[outo + n * C + c] = norm * weight[weighto + c] + b;
      }
      mean[meano + n] = m;
      rstd[rstdo + n] = s;
    }
  }

  // dinp (N,C) +=, dweight (C) +=, dbias (C) += or null; dout (N,C), inp (N,C), weight (C), mean (N), rstd (N)
  // In the forward pass this was, per row, norm = (x - mean) * rstd with rstd = 1/sqrt(var + eps),
  // and out = norm * weight + bias. So dbias += dout and dweight += norm * dout (summed over rows),
  // and dnorm = weight * dout. norm depends on every x of its row through mean and var; the chain
  // rule through both, with dmean/dx = 1/C and drstd/dx = -rstd^3 (x - mean) / C, collapses to
  //   dx = rstd * (dnorm - mean(dnorm) - norm * mean(dnorm * norm))
  // (the two row means dnormMean and dnormNormMean below), so dinp += that.
  public static void layernormBackward(float[] dinp, int dinpo, float[] dweight, int dweighto, float[] dbias,
      int dbiaso, float[] dout, int douto, float[] inp, int inpo, float[] weight, int weighto, float[] mean,
      int meano, float[] rstd, int rstdo, int N, int C) {
    for (int n = 0; n < N; n++) {
      int x = inpo + n * C;
      int d = douto + n * C;
      float m = mean[meano + n];
      float s = rstd[rstdo + n];
      // Two row means the input gradient needs: of dnorm and of dnorm * norm.
      float dnormMean = 0f;
      float dnormNormMean = 0f;
      for (int c = 0; c < C; c++) {
        float norm = (inp[x + c] - m) * s;
        float dnorm = weight[weighto + c] * dout[d + c];
        dnormMean += dnorm;
        dnormNormMean += dnorm * norm;
      }
      dnormMean /= C;
      dnormNormMean /= C;
      for (int c = 0; c < C; c++) {
        float norm = (inp[x + c] - m) * s;
        float dnorm = weight[weighto + c] * dout[d + c];
        if (dbias != null) dbias[dbiaso + c] += dout[d + c];
        dweight[dweighto + c] += norm * dout[d + c];
        dinp[dinpo + n * C + c] += (dnorm - dnormMean - norm * dnormNormMean) * s;
      }
    }
  }

  // ------------------------------------------------------------------ matmul

  // out (N,OC) = inp (N,C) @ weight (OC,C)^T + bias (OC) or null
  public static void matmulForward(float[] out, int outo, float[] inp, int inpo, float[] weight, int weighto,
      float[] bias, int biaso, int N, int C, int OC) {
    for (int n = 0; n < N; n++) {
      for (int o = 0; o < OC; o++) {
        float sum = bias == null ? 0f : bias[biaso + o];
        for (int c = 0; c < C; c++) {
          sum += inp[inpo + n * C + c] * weight[weighto + o * C + c];
        }
        out[outo + n * OC + o] = sum;
      }
    }
  }

  // out (N,OC) = inp (N,C) @ weight (OC,C)^T + bias (OC) or null; weight in bf16, packed (OC, Bf16.packedCols(C)) ints
  public static void matmulForwardBf16(float[] out, int outo, float[] inp, int inpo, int[] weight, float[] bias,
      int biaso, int N, int C, int OC) {
    for (int n = 0; n < N; n++) {
      for (int o = 0; o < OC; o++) {
        float sum = bias == null ? 0f : bias[biaso + o];
        for (int c = 0; c < C; c++) {
          sum += inp[inpo + n * C + c] * Bf16.unpack(weight, 0, C, o, c);
        }
        out[outo + n * OC + o] = sum;
      }
    }
  }

  // dinp (N,C) = dout @ weight, or null; dweight (OC,C) += dout^T @ inp; dbias (OC) += column sums, or null
  // dout (N,OC), inp (N,C), weight (OC,C)
  // In the forward pass this was out[n,o] = bias[o] + sum_c inp[n,c] * weight[o,c]. So
  // d out[n,o] / d inp[n,c] = weight[o,c]: dinp[n,c] = sum_o dout[n,o] * weight[o,c] (written: the
  // input is used once); the parameters' gradients are added to (micro-batches accumulate):
  // d out[n,o] / d weight[o,c] = inp[n,c]: dweight[o,c] += sum_n dout[n,o] * inp[n,c];
  // d out[n,o] / d bias[o] = 1: dbias[o] += sum_n dout[n,o].
  public static void matmulBackward(float[] dinp, int dinpo, float[] dweight, int dweighto, float[] dbias,
      int dbiaso, float[] dout, int douto, float[] inp, int inpo, float[] weight, int weighto, int N, int C,
      int OC) {
    if (dinp != null) {
      for (int n = 0; n < N; n++) {
        for (int c = 0; c < C; c++) {
          float sum = 0f;
          for (int o = 0; o < OC; o++) sum += dout[douto + n * OC + o] * weight[weighto + o * C + c];
          dinp[dinpo + n * C + c] = sum;
        }
      }
    }
    for (int o = 0; o < OC; o++) {
      for (int c = 0; c < C; c++) {
        float sum = 0f;
        for (int n = 0; n < N; n++) sum += dout[douto + n * OC + o] * inp[inpo + n * C + c];
        dweight[dweighto + o * C + c] += sum;
      }
      if (dbias != null) {
        float sum = 0f;
        for (int n = 0; n < N; n++) sum += dout[douto + n * OC + o];
        dbias[dbiaso + o] += sum;
      }
    }
  }

  // ------------------------------------------------------------------ attention

  // out (B,T,C), att (B,NH,T,T); qkv (B,T,3C) = q | k | v, head h on channels h*hs .. (h+1)*hs, hs = C/NH
  public static void attentionForward(float[] out, int outo, float[] att, int atto, float[] qkv, int qkvo,
      int B, int T, int C, int NH) {
    int hs = C / NH;
    float scale = (float) (1.0 / Math.sqrt(hs));
    for (int b = 0; b < B; b++) {
      for (int h = 0; h < NH; h++) {
        for (int t = 0; t < T; t++) {
          int q = qkvo + (b * T + t) * 3 * C + h * hs;
          int a = atto + ((b * NH + h) * T + t) * T;
          // Scores q . k over the causal window, then a stable softmax in place.
          float max = Float.NEGATIVE_INFINITY;
          for (int t2 = 0; t2 <= t; t2++) {
            int k = qkvo + (b * T + t2) * 3 * C + C + h * hs;
            float dot = 0f;
            for (int i = 0; i < hs; i++) dot += qkv[q + i] * qkv[k + i];
            att[a + t2] = dot * scale;
            max = Math.max(max, att[a + t2]);
          }
          float sum = 0f;
          for (int t2 = 0; t2 <= t; t2++) {
            att[a + t2] = (float) Math.exp(att[a + t2] - max);
            sum += att[a + t2];
          }
          for (int t2 = 0; t2 <= t; t2++) att[a + t2] /= sum;
          for (int t2 = t + 1; t2 < T; t2++) att[a + t2] = 0f;
          int o = outo + (b * T + t) * C + h * hs;
          for (int i = 0; i < hs; i++) {
            float acc = 0f;
            for (int t2 = 0; t2 <= t; t2++) {
              acc += att[a + t2] * qkv[qkvo + (b * T + t2) * 3 * C + 2 * C + h * hs + i];
            }
            out[o + i] = acc;
          }
        }
      }
    }
  }

  // dqkv (B,T,3C) = (written); dout (B,T,C), qkv (B,T,3C), att (B,NH,T,T) from the forward pass
  // In the forward pass this was, per (b, h, t), with q, k, v the head's hs channels:
  //   pre[t2] = q[t] . k[t2] * scale, att[t2] = softmax(pre[0..t])[t2] for t2 <= t,
  //   out[t] = sum_t2 att[t2] * v[t2].
  // So, going back:
  //   dv[t2] += att[t2] * dout[t]                      (out is linear in v)
  //   datt[t2] = dout[t] . v[t2]                       (and linear in att)
  //   dpre[t2] = att[t2] * (datt[t2] - sum_j att[j] datt[j]) * scale
  //              (datt through the softmax Jacobian diag(att) - att att^T, then through the scale)
  //   dq[t] += dpre[t2] * k[t2], dk[t2] += dpre[t2] * q[t]   (q . k is linear in each)
  // Positions above the diagonal (t2 > t) had att = 0 and no path to the loss: they get nothing.
  // Each dq, dk, dv element is a sum over many (t, t2): dqkv starts at 0 and the terms are added.
  public static void attentionBackward(float[] dqkv, int dqkvo, float[] dout, int douto, float[] qkv, int qkvo,
      float[] att, int atto, int B, int T, int C, int NH) {
    int hs = C / NH;
    float scale = (float) (1.0 / Math.sqrt(hs));
    zero(dqkv, dqkvo, B * T * 3 * C);
    for (int b = 0; b < B; b++) {
      for (int h = 0; h < NH; h++) {
        for (int t = 0; t < T; t++) {
          int a = atto + ((b * NH + h) * T + t) * T;
          int d = douto + (b * T + t) * C + h * hs;
          int q = qkvo + (b * T + t) * 3 * C + h * hs;
          int dq = dqkvo + (b * T + t) * 3 * C + h * hs;
          // datt[t2] = dout . v[t2]; softmax backward: dpre[t2] = att[t2] * (datt[t2] - sum_j att[j] datt[j]).
          float attDotDatt = 0f;
          for (int t2 = 0; t2 <= t; t2++) {
            attDotDatt += att[a + t2] * dot(dout, d, qkv, qkvo + (b * T + t2) * 3 * C + 2 * C + h * hs, hs);
          }
          for (int t2 = 0; t2 <= t; t2++) {
            int k = qkvo + (b * T + t2) * 3 * C + C + h * hs;
            int v = k + C;
            int dk = dqkvo + (b * T + t2) * 3 * C + C + h * hs;
            int dv = dk + C;
            float datt = dot(dout, d, qkv, v, hs);
            float dpre = att[a + t2] * (datt - attDotDatt) * scale;
            for (int i = 0; i < hs; i++) {
              dqkv[dv + i] += att[a + t2] * dout[d + i];
              dqkv[dq + i] += dpre * qkv[k + i];
              dqkv[dk + i] += dpre * qkv[q + i];
            }
          }
        }
      }
    }
  }

  // out (C), att (NH,maxT); qkv (3C) of the new position p = pos[0]; kcache, vcache (maxT,C) get row p
  public static void attentionDecode(float[] out, int outo, float[] att, int atto, float[] qkv, int qkvo,
      float[] kcache, int kcacheo, float[] vcache, int vcacheo, int[] pos, int poso, int maxT, int C, int NH) {
    int p = pos[poso];
    int hs = C / NH;
    float scale = (float) (1.0 / Math.sqrt(hs));
    for (int c = 0; c < C; c++) {
      kcache[kcacheo + p * C + c] = qkv[qkvo + C + c];
      vcache[vcacheo + p * C + c] = qkv[qkvo + 2 * C + c];
    }
    for (int h = 0; h < NH; h++) {
      int a = atto + h * maxT;
      float max = Float.NEGATIVE_INFINITY;
      for (int t2 = 0; t2 <= p; t2++) {
        att[a + t2] = dot(qkv, qkvo + h * hs, kcache, kcacheo + t2 * C + h * hs, hs) * scale;
        max = Math.max(max, att[a + t2]);
      }
      float sum = 0f;
      for (int t2 = 0; t2 <= p; t2++) {
        att[a + t2] = (float) Math.exp(att[a + t2] - max);
        sum += att[a + t2];
      }
      for (int t2 = 0; t2 <= p; t2++) att[a + t2] /= sum;
      for (int i = 0; i < hs; i++) {
        float acc = 0f;
        for (int t2 = 0; t2 <= p; t2++) acc += att[a + t2] * vcache[vcacheo + t2 * C + h * hs + i];
        out[outo + h * hs + i] = acc;
      }
    }
  }

  // x (n) . y (n)
  static float dot(float[] x, int xo, float[] y, int yo, int n) {
    float sum = 0f;
    for (int i = 0; i < n; i++) sum += x[xo + i] * y[yo + i];
    return sum;
  }

  // ------------------------------------------------------------------ elementwise

  // out (N) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), x = inp (N)
  public static void geluForward(float[] out, int outo, float[] inp, int inpo, int N) {
    for (int i = 0; i < N; i++) {
      float x = inp[inpo + i];
      float u = GELU_SCALE * (x + GELU_CUBIC * x * x * x);
      out[outo + i] = 0.5f * x * (1f + (float) Math.tanh(u));
    }
  }

  // dinp (N) = GELU'(inp) * dout (written); inp (N), dout (N)
  // In the forward pass this was out = 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3).
  // So by the product rule dout/dx = 0.5 (1 + tanh(u)) + 0.5 x sech^2(u) du/dx, with
  // sech^2 = 1 - tanh^2 and du/dx = sqrt(2/pi) (1 + 3 * 0.044715 x^2); dinp = that * dout.
  public static void geluBackward(float[] dinp, int dinpo, float[] inp, int inpo, float[] dout, int douto, int N) {
    for (int i = 0; i < N; i++) {
      float x = inp[inpo + i];
      float u = GELU_SCALE * (x + GELU_CUBIC * x * x * x);
      float th = (float) Math.tanh(u);
      float sech2 = 1f - th * th;
      float grad = 0.5f * (1f + th) + 0.5f * x * sech2 * GELU_SCALE * (1f + 3f * GELU_CUBIC * x * x);
      dinp[dinpo + i] = grad * dout[douto + i];
    }
  }

  // out (N) = a (N) + b (N)
  public static void residualForward(float[] out, int outo, float[] a, int ao, float[] b, int bo, int N) {
    for (int i = 0; i < N; i++) out[outo + i] = a[ao + i] + b[bo + i];
  }

  // dst (N) += src (N)
  // The backward of residualForward: in the forward pass this was out = a + b, so da += dout and
  // db += dout, each one accumulate.
  public static void accumulate(float[] dst, int dsto, float[] src, int srco, int N) {
    for (int i = 0; i < N; i++) dst[dsto + i] += src[srco + i];
  }

  // dst (N) = src (N)
  public static void copy(float[] dst, int dsto, float[] src, int srco, int N) {
    System.arraycopy(src, srco, dst, dsto, N);
  }

  // x (N) = 0
  public static void zero(float[] x, int xo, int N) {
    java.util.Arrays.fill(x, xo, xo + N, 0f);
  }

  // out (N) = inp (N) * keep / (1 - p), keep_i = uniform(seed, step, stream, i) >= p
  public static void dropoutForward(float[] out, int outo, float[] inp, int inpo, float p, long seed, long step,
      int stream, int N) {
    long key = CounterRng.key(seed, step, stream);
    float scale = 1f / (1f - p);
    for (int i = 0; i < N; i++) {
      boolean keep = CounterRng.uniform(key, i) >= p;
      out[outo + i] = keep ? inp[inpo + i] * scale : 0f;
    }
  }

  // dinp (N) = dout (N) * keep / (1 - p) (written), the same mask as the forward pass
  // In the forward pass this was out = keep ? inp / (1 - p) : 0, linear in inp with the mask
  // recomputed here from the same counters (nothing stored): dinp = keep ? dout / (1 - p) : 0.
  public static void dropoutBackward(float[] dinp, int dinpo, float[] dout, int douto, float p, long seed,
      long step, int stream, int N) {
    long key = CounterRng.key(seed, step, stream);
    float scale = 1f / (1f - p);
    for (int i = 0; i < N; i++) {
      boolean keep = CounterRng.uniform(key, i) >= p;
      dinp[dinpo + i] = keep ? dout[douto + i] * scale : 0f;
    }
  }

  // ------------------------------------------------------------------ softmax and loss

  // probs (N,Vp) = softmax over the first V columns of logits (N,Vp); columns V..Vp get 0
  public static void softmaxForward(float[] probs, int probso, float[] logits, int logitso, int N, int V, int Vp) {
    for (int n = 0; n < N; n++) {
      int l = logitso + n * Vp;
      int p = probso + n * Vp;
      float max = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < V; i++) max = Math.max(max, logits[l + i]);
      float sum = 0f;
      for (int i = 0; i < V; i++) {
        probs[p + i] = (float) Math.exp(logits[l + i] - max);
        sum += probs[p + i];
      }
      for (int i = 0; i < V; i++) probs[p + i] /= sum;
      for (int i = V; i < Vp; i++) probs[p + i] = 0f;
    }
  }

  // losses (N) = -log softmax(logits (N,Vp))[targets (N)], over the first V columns
  public static void crossEntropyForward(float[] losses, int losseso, float[] logits, int logitso, int[] targets,
      int targetso, int N, int V, int Vp) {
    for (int n = 0; n < N; n++) {
      int l = logitso + n * Vp;
      float max = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < V; i++) max = Math.max(max, logits[l + i]);
      float sum = 0f;
      for (int i = 0; i < V; i++) sum += (float) Math.exp(logits[l + i] - max);
      int target = targets[targetso + n];
      // -log(exp(x_t - max) / sum) without forming the probability: no log(0) for tiny ones.
      losses[losseso + n] = (float) Math.log(sum) - (logits[l + target] - max);
    }
  }

  // losses (N) as crossEntropyForward; then logits (N,Vp) := (softmax - onehot(target)) * dlossScale,
  // columns V..Vp := 0
  // In the forward pass this was loss = -log prob[target], prob = softmax(logits) over the first V
  // columns, i.e. loss = log(sum_j exp(x_j)) - x_target. So dloss/dx_i = prob_i - [i == target];
  // the mean over B*T tokens (and gradient accumulation) scales it by dlossScale. The padded
  // columns take no part in the softmax: their gradient is 0.
  public static void crossEntropyForwardBackward(float[] losses, int losseso, float[] logits, int logitso,
      int[] targets, int targetso, float dlossScale, int N, int V, int Vp) {
    crossEntropyForward(losses, losseso, logits, logitso, targets, targetso, N, V, Vp);
    for (int n = 0; n < N; n++) {
      int l = logitso + n * Vp;
      float max = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < V; i++) max = Math.max(max, logits[l + i]);
      float sum = 0f;
      for (int i = 0; i < V; i++) sum += (float) Math.exp(logits[l + i] - max);
      int target = targets[targetso + n];
      for (int i = 0; i < V; i++) {
        float prob = (float) Math.exp(logits[l + i] - max) / sum;
        float indicator = i == target ? 1f : 0f;
        logits[l + i] = (prob - indicator) * dlossScale;
      }
      for (int i = V; i < Vp; i++) logits[l + i] = 0f;
    }
  }

  // ------------------------------------------------------------------ optimizer

  // returns sum of grads (N)^2, accumulated in double
  public static double sumOfSquares(float[] grads, int gradso, int N) {
    double sum = 0;
    for (int i = 0; i < N; i++) sum += (double) grads[gradso + i] * grads[gradso + i];
    return sum;
  }

  /**
   * The gradient-clip factor: min(1, maxNorm / (norm + 1e-6)), or 1 when maxNorm <= 0.
   * gradNormSquared (1) is the sum of squares of all gradients (see {@link #sumOfSquares}).
   */
  public static float clipFactor(float gradNormSquared, float maxGradNorm) {
    if (!(maxGradNorm > 0f)) return 1f;
    float norm = (float) Math.sqrt(gradNormSquared);
    return Math.min(1f, maxGradNorm / (norm + CLIP_EPS));
  }

  // params, grads, m, v (N); lr, t, clip from the step scalars (see Backend#adamw)
  // Not a gradient but the update that uses one: g = grads * clip; m and v are running means of g
  // and g^2, divided by 1 - beta^t to undo their start at 0; the step is mhat / (sqrt(vhat) + eps)
  // plus decoupled weight decay (AdamW: decay on the weights, not added to g).
  public static void adamw(float[] params, int paramso, float[] grads, int gradso, float[] m, int mo, float[] v,
      int vo, float lr, float t, float clip, float beta1, float beta2, float eps, float weightDecay, int N) {
    float beta1Correction = (float) (1.0 - Math.pow(beta1, t));
    float beta2Correction = (float) (1.0 - Math.pow(beta2, t));
    for (int i = 0; i < N; i++) {
      float g = grads[gradso + i] * clip;
      float mi = beta1 * m[mo + i] + (1f - beta1) * g;
      float vi = beta2 * v[vo + i] + (1f - beta2) * g * g;
      float mhat = mi / beta1Correction;
      float vhat = vi / beta2Correction;
      m[mo + i] = mi;
      v[vo + i] = vi;
      params[paramso + i] -= lr * (mhat / ((float) Math.sqrt(vhat) + eps) + weightDecay * params[paramso + i]);
    }
  }
}
