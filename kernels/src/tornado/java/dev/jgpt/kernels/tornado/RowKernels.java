package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.ReferenceKernels;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Row-wise kernels: layer norm, softmax and cross-entropy. Layer norm takes two role groups (see
 * {@link Arena}): the rows' side {@code x} and the per-column side ({@code w} weights or {@code g}
 * their gradients); softmax and cross-entropy take one float array. One work item per row for the row
 * statistics (the rows are independent and there are B*T of them); gradients of per-column
 * parameters are gathered per column, so every output element has one writer. These run on CPU
 * OpenCL devices and as the host twins; GPUs get {@link RowGroupKernels} (a work group per row)
 * and {@link ColumnSumKernels} (blocked column sums).
 */
public final class RowKernels {
  private RowKernels() {}

  // x: out (N,C) = (inp - mean) * rstd * weight + bias per row; mean (N), rstd (N) saved for
  // backward; inp (N,C). w: weight (C), bias (C) when hasBias == 1
  public static void layernormForward(FloatArray x, FloatArray w, int outo, int meano, int rstdo, int inpo,
      int weighto, int biaso,
      int hasBias, int N, int C) {
    for (@Parallel int n = 0; n < N; n++) {
      int row = inpo + n * C;
      float sum = 0f;
      for (int c = 0; c < C; c++) sum += x.get(row + c);
      float mean = sum / C;
      float var = 0f;
      for (int c = 0; c < C; c++) {
        float d = x.get(row + c) - mean;
        var += d * d;
      }
      float s = 1f / TornadoMath.sqrt(var / C + ReferenceKernels.LAYERNORM_EPS);
      for (int c = 0; c < C; c++) {
        float b = hasBias == 1 ? w.get(biaso + c) : 0f;
        x.set(outo + n * C + c, (x.get(row + c) - mean) * s * w.get(weighto + c) + b);
      }
      x.set(meano + n, mean);
      x.set(rstdo + n, s);
    }
  }

  static Launch launchLayernormForward(BufferKind xk, int outo, int meano, int rstdo, int inpo, BufferKind wk, int wo,
      int bo, int N, int C) {
    int hasBias = bo >= 0 ? 1 : 0;
    int b = Math.max(bo, 0);
    KindCheck.apart("layernormForward", new String[] {"activations", "weight and bias"}, xk, wk);
    return Launch.parallel(Launch.sig("layernormForward", xk, outo, meano, rstdo, inpo, wk, wo, bo, N, C),
        (s, a, ctx) -> s.task(RowKernels::layernormForward, a.of(xk), a.of(wk), outo, meano, rstdo, inpo, wo, b,
            hasBias,
            N, C));
  }

  // x: dinp (N,C) += the input gradient of layernormForward, one row per work item;
  // dout (N,C), inp (N,C), mean (N), rstd (N). w: weight (C)
  public static void layernormBackwardInput(FloatArray x, FloatArray w, int dinpo, int douto, int inpo, int weighto,
      int meano,
      int rstdo, int N, int C) {
    for (@Parallel int n = 0; n < N; n++) {
      int row = inpo + n * C;
      int d = douto + n * C;
      float mean = x.get(meano + n);
      float s = x.get(rstdo + n);
      float dnormMean = 0f;
      float dnormNormMean = 0f;
      for (int c = 0; c < C; c++) {
        float norm = (x.get(row + c) - mean) * s;
        float dnorm = w.get(weighto + c) * x.get(d + c);
        dnormMean += dnorm;
        dnormNormMean += dnorm * norm;
      }
      dnormMean = dnormMean / C;
      dnormNormMean = dnormNormMean / C;
      for (int c = 0; c < C; c++) {
        float norm = (x.get(row + c) - mean) * s;
        float dnorm = w.get(weighto + c) * x.get(d + c);
        x.set(dinpo + n * C + c, x.get(dinpo + n * C + c) + (dnorm - dnormMean - norm * dnormNormMean) * s);
      }
    }
  }

  static Launch launchLayernormBackwardInput(BufferKind xk, int dinpo, int douto, int inpo, BufferKind wk, int wo,
      int meano, int rstdo, int N, int C) {
    KindCheck.apart("layernormBackward", new String[] {"activations", "weight"}, xk, wk);
    return Launch.parallel(Launch.sig("layernormBackward.input", xk, dinpo, douto, inpo, wk, wo, meano, rstdo, N, C),
        (s, a, ctx) -> s.task(RowKernels::layernormBackwardInput, a.of(xk), a.of(wk), dinpo, douto, inpo, wo, meano,
            rstdo, N, C));
  }

  // g: dweight (C) += sum over rows of norm * dout; dbias (C) += column sums of dout when hasBias == 1;
  // x: dout (N,C), inp (N,C), mean (N), rstd (N). One work item per column (gather form).
  public static void layernormBackwardParams(FloatArray x, FloatArray g, int dweighto, int dbiaso, int hasBias,
      int douto, int inpo,
      int meano, int rstdo, int N, int C) {
    for (@Parallel int c = 0; c < C; c++) {
      float dw = 0f;
      float db = 0f;
      for (int n = 0; n < N; n++) {
        float dout = x.get(douto + n * C + c);
        float norm = (x.get(inpo + n * C + c) - x.get(meano + n)) * x.get(rstdo + n);
        dw += norm * dout;
        db += dout;
      }
      g.set(dweighto + c, g.get(dweighto + c) + dw);
      if (hasBias == 1) g.set(dbiaso + c, g.get(dbiaso + c) + db);
    }
  }

  static Launch launchLayernormBackwardParams(BufferKind gk, int dwo, int dbo, BufferKind xk, int douto, int inpo,
      int meano, int rstdo, int N, int C) {
    int hasBias = dbo >= 0 ? 1 : 0;
    int db = Math.max(dbo, 0);
    KindCheck.apart("layernormBackward", new String[] {"activations", "weight gradients"}, xk, gk);
    return Launch.parallel(Launch.sig("layernormBackward.params", gk, dwo, dbo, xk, douto, inpo, meano, rstdo, N, C),
        (s, a, ctx) -> s.task(RowKernels::layernormBackwardParams, a.of(xk), a.of(gk), dwo, db, hasBias, douto, inpo,
            meano, rstdo, N, C));
  }

  // probs (N,Vp) = softmax over the first V columns of logits (N,Vp); columns V..Vp get 0
  public static void softmaxForward(FloatArray m, int probso, int logitso, int N, int V, int Vp) {
    for (@Parallel int n = 0; n < N; n++) {
      int l = logitso + n * Vp;
      int p = probso + n * Vp;
      float max = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < V; i++) max = TornadoMath.max(max, m.get(l + i));
      float sum = 0f;
      for (int i = 0; i < V; i++) {
        float e = TornadoMath.exp(m.get(l + i) - max);
        m.set(p + i, e);
        sum += e;
      }
      for (int i = 0; i < V; i++) m.set(p + i, m.get(p + i) / sum);
      for (int i = V; i < Vp; i++) m.set(p + i, 0f);
    }
  }

  static Launch launchSoftmaxForward(BufferKind kind, int probso, int logitso, int N, int V, int Vp) {
    return Launch.parallel(Launch.sig("softmaxForward", kind, probso, logitso, N, V, Vp),
        (s, a, ctx) -> s.task(RowKernels::softmaxForward, a.of(kind), probso, logitso, N, V, Vp));
  }

  // losses (N) = -log softmax(logits (N,Vp))[targets (N)] over the first V columns; when stats >= 0
  // also saves each row's max and sum of exponentials in stats (N,2) for crossEntropyBackward
  public static void crossEntropyForward(FloatArray m, IntArray ix, int losseso, int statso, int logitso,
      int targetso, int N, int V, int Vp) {
    for (@Parallel int n = 0; n < N; n++) {
      int l = logitso + n * Vp;
      float max = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < V; i++) max = TornadoMath.max(max, m.get(l + i));
      float sum = 0f;
      for (int i = 0; i < V; i++) sum += TornadoMath.exp(m.get(l + i) - max);
      int target = ix.get(targetso + n);
      // -log(exp(x_t - max) / sum) without forming the probability
      m.set(losseso + n, TornadoMath.log(sum) - (m.get(l + target) - max));
      if (statso >= 0) {
        m.set(statso + 2 * n, max);
        m.set(statso + 2 * n + 1, sum);
      }
    }
  }

  /** statso = -1: losses only; otherwise also the row max and sum at statso (N,2). */
  static Launch launchCrossEntropyForward(BufferKind kind, int losseso, int statso, int logitso, int targetso,
      int N, int V, int Vp) {
    return Launch.parallelWithInts(Launch.sig("crossEntropyForward", kind, losseso, statso, logitso, targetso, N, V,
        Vp),
        (s, a, ctx) -> s.task(RowKernels::crossEntropyForward, a.of(kind), a.ints(), losseso, statso, logitso,
            targetso, N, V, Vp));
  }

  // logits (N,Vp) := (softmax - onehot(target)) * dlossScale over the first V columns, 0 beyond;
  // the softmax from the row stats (N,2) that crossEntropyForward saved; one work item per element
  public static void crossEntropyBackward(FloatArray m, IntArray ix, int logitso, int statso, int targetso,
      float dlossScale, int N, int V, int Vp) {
    for (@Parallel int n = 0; n < N; n++) {
      for (@Parallel int i = 0; i < Vp; i++) {
        float g = 0f;
        if (i < V) {
          float prob = TornadoMath.exp(m.get(logitso + n * Vp + i) - m.get(statso + 2 * n)) / m.get(statso + 2 * n + 1);
          float indicator = i == ix.get(targetso + n) ? 1f : 0f;
          g = (prob - indicator) * dlossScale;
        }
        m.set(logitso + n * Vp + i, g);
      }
    }
  }

  static Launch launchCrossEntropyBackward(BufferKind kind, int logitso, int statso, int targetso, float dlossScale,
      int N, int V, int Vp) {
    return Launch.parallelWithInts(Launch.sig("crossEntropyBackward", kind, logitso, statso, targetso, dlossScale,
        N, V, Vp),
        (s, a, ctx) -> s.task(RowKernels::crossEntropyBackward, a.of(kind), a.ints(), logitso, statso, targetso,
            dlossScale, N, V,
            Vp));
  }
}
