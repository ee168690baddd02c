package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.ReferenceKernels;
import dev.jgpt.kernels.cpu.CpuScalarMath;
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
  // backward; inp (N,C). w: weight (C), bias (C) when hasBias == 1. In the CPU backend's order and
  // rounding (CpuLayernorm over vectors of `lanes` floats): lane l sums elements l, l + lanes, ...
  // of the whole vectors, the lanes are added left to right, then the tail in order; the squared
  // deviations are fused into their lane sums and rounded in the tail; the whole vectors' outputs
  // are fma(norm, weight, bias), the tail's rounded products.
  public static void layernormForward(FloatArray x, FloatArray w, int outo, int meano, int rstdo, int inpo,
      int weighto, int biaso, int hasBias, int lanes, int N, int C) {
    for (@Parallel int n = 0; n < N; n++) {
      int row = inpo + n * C;
      int whole = C - C % lanes;
      float sum = 0f;
      for (int l = 0; l < lanes; l++) {
        float lane = 0f;
        for (int c = l; c < whole; c += lanes) lane += x.get(row + c);
        sum += lane;
      }
      for (int c = whole; c < C; c++) sum += x.get(row + c);
      float mean = sum / C;
      float var = 0f;
      for (int l = 0; l < lanes; l++) {
        float lane = 0f;
        for (int c = l; c < whole; c += lanes) {
          float d = x.get(row + c) - mean;
          lane = Rounding.fma(d, d, lane);
        }
        var += lane;
      }
      for (int c = whole; c < C; c++) {
        float d = x.get(row + c) - mean;
        var = Rounding.addRounded(var, d * d);
      }
      float s = CpuMath.rsqrt(var / C + ReferenceKernels.LAYERNORM_EPS);
      for (int c = 0; c < C; c++) {
        float b = 0f;
        if (hasBias == 1) b = w.get(biaso + c);
        float norm = (x.get(row + c) - mean) * s;
        float o = Rounding.addRounded(b, norm * w.get(weighto + c));
        if (c < whole) o = Rounding.fma(norm, w.get(weighto + c), b);
        x.set(outo + n * C + c, o);
      }
      x.set(meano + n, mean);
      x.set(rstdo + n, s);
    }
  }

  static Launch launchLayernormForward(BufferKind xk, int outo, int meano, int rstdo, int inpo, BufferKind wk, int wo,
      int bo, int N, int C) {
    KindCheck.apart("layernormForward", new String[] {"activations", "weight and bias"}, xk, wk);
    return new Launch(Launch.sig("layernormForward", xk, outo, meano, rstdo, inpo, wk, wo, bo, N, C), false,
        layernormForwardCall(xk, outo, meano, rstdo, inpo, wk, wo, bo, N, C, false),
        layernormForwardCall(xk, outo, meano, rstdo, inpo, wk, wo, bo, N, C, true), null, null);
  }

  /** layernormForward's call, on the device or the host (also the host twin of RowGroupKernels'). */
  static KernelCall layernormForwardCall(BufferKind xk, int outo, int meano, int rstdo, int inpo, BufferKind wk,
      int wo, int bo, int N, int C, boolean host) {
    int hasBias = bo >= 0 ? 1 : 0;
    int b = Math.max(bo, 0);
    int lanes = Rounding.cpuLanes();
    if (host) {
      return (s, a, ctx) -> s.task(HostRowKernels::layernormForward, a.of(xk), a.of(wk), outo, meano, rstdo, inpo, wo,
          b, hasBias, lanes, N, C);
    }
    return (s, a, ctx) -> s.task(RowKernels::layernormForward, a.of(xk), a.of(wk), outo, meano, rstdo, inpo, wo, b,
        hasBias, lanes, N, C);
  }

  // x: dinp (N,C) += the input gradient of layernormForward, one row per work item;
  // dout (N,C), inp (N,C), mean (N), rstd (N). w: weight (C). In the CPU backend's order and
  // rounding (CpuLayernorm.inputGradientRow over `lanes`-float vectors): dnorm = weight * dout
  // rounded, its lane sums plain and its products with norm fused into theirs, the lanes added left
  // to right, then the tail's rounded terms; each gradient rounded before it is added to dinp.
  public static void layernormBackwardInput(FloatArray x, FloatArray w, int dinpo, int douto, int inpo, int weighto,
      int meano, int rstdo, int lanes, int N, int C) {
    for (@Parallel int n = 0; n < N; n++) {
      int row = inpo + n * C;
      int d = douto + n * C;
      int whole = C - C % lanes;
      float mean = x.get(meano + n);
      float s = x.get(rstdo + n);
      float dnormMean = 0f;
      float dnormNormMean = 0f;
      for (int l = 0; l < lanes; l++) {
        float laneMean = 0f;
        float laneNormMean = 0f;
        for (int c = l; c < whole; c += lanes) {
          float norm = (x.get(row + c) - mean) * s;
          float dnorm = w.get(weighto + c) * x.get(d + c);
          laneMean = Rounding.addRounded(laneMean, dnorm);
          laneNormMean = Rounding.fma(dnorm, norm, laneNormMean);
        }
        dnormMean += laneMean;
        dnormNormMean += laneNormMean;
      }
      for (int c = whole; c < C; c++) {
        float norm = (x.get(row + c) - mean) * s;
        float dnorm = w.get(weighto + c) * x.get(d + c);
        dnormMean = Rounding.addRounded(dnormMean, dnorm);
        dnormNormMean = Rounding.addRounded(dnormNormMean, dnorm * norm);
      }
      dnormMean = dnormMean / C;
      dnormNormMean = dnormNormMean / C;
      for (int c = 0; c < C; c++) {
        float norm = (x.get(row + c) - mean) * s;
        float dnorm = w.get(weighto + c) * x.get(d + c);
        float g = (dnorm - dnormMean - norm * dnormNormMean) * s;
        x.set(dinpo + n * C + c, Rounding.addRounded(x.get(dinpo + n * C + c), g));
      }
    }
  }

  static Launch launchLayernormBackwardInput(BufferKind xk, int dinpo, int douto, int inpo, BufferKind wk, int wo,
      int meano, int rstdo, int N, int C) {
    KindCheck.apart("layernormBackward", new String[] {"activations", "weight"}, xk, wk);
    return new Launch(Launch.sig("layernormBackward.input", xk, dinpo, douto, inpo, wk, wo, meano, rstdo, N, C), false,
        layernormBackwardInputCall(xk, dinpo, douto, inpo, wk, wo, meano, rstdo, N, C, false),
        layernormBackwardInputCall(xk, dinpo, douto, inpo, wk, wo, meano, rstdo, N, C, true), null, null);
  }

  /** layernormBackwardInput's call, on the device or the host (also the host twin of RowGroupKernels'). */
  static KernelCall layernormBackwardInputCall(BufferKind xk, int dinpo, int douto, int inpo, BufferKind wk, int wo,
      int meano, int rstdo, int N, int C, boolean host) {
    int lanes = Rounding.cpuLanes();
    if (host) {
      return (s, a, ctx) -> s.task(HostRowKernels::layernormBackwardInput, a.of(xk), a.of(wk), dinpo, douto, inpo, wo,
          meano, rstdo, lanes, N, C);
    }
    return (s, a, ctx) -> s.task(RowKernels::layernormBackwardInput, a.of(xk), a.of(wk), dinpo, douto, inpo, wo,
        meano, rstdo, lanes, N, C);
  }

  // g: dweight (C) += sum over rows of norm * dout; dbias (C) += column sums of dout when hasBias == 1;
  // x: dout (N,C), inp (N,C), mean (N), rstd (N). One work item per column (gather form). As the
  // CPU backend (CpuLayernorm.backwardBlocks, addPartials): each block of `rows` rows is summed from
  // 0 in row order, the products fused in the columns of whole `lanes`-float vectors and rounded in
  // the tail columns; the blocks' sums are then added to the gradient in block order.
  public static void layernormBackwardParams(FloatArray x, FloatArray g, int dweighto, int dbiaso, int hasBias,
      int douto, int inpo, int meano, int rstdo, int lanes, int rows, int N, int C) {
    for (@Parallel int c = 0; c < C; c++) {
      int whole = C - C % lanes;
      float dw = g.get(dweighto + c);
      float db = 0f;
      if (hasBias == 1) db = g.get(dbiaso + c);
      for (int b = 0; b < N; b += rows) {
        int end = Math.min(N, b + rows);
        float pw = 0f;
        float pb = 0f;
        for (int n = b; n < end; n++) {
          float dout = x.get(douto + n * C + c);
          float norm = (x.get(inpo + n * C + c) - x.get(meano + n)) * x.get(rstdo + n);
          if (c < whole) pw = Rounding.fma(norm, dout, pw);
          else pw = Rounding.addRounded(pw, norm * dout);
          pb += dout;
        }
        dw += pw;
        db += pb;
      }
      g.set(dweighto + c, dw);
      if (hasBias == 1) g.set(dbiaso + c, db);
    }
  }

  static Launch launchLayernormBackwardParams(BufferKind gk, int dwo, int dbo, BufferKind xk, int douto, int inpo,
      int meano, int rstdo, int N, int C) {
    KindCheck.apart("layernormBackward", new String[] {"activations", "weight gradients"}, xk, gk);
    return new Launch(Launch.sig("layernormBackward.params", gk, dwo, dbo, xk, douto, inpo, meano, rstdo, N, C), false,
        layernormBackwardParamsCall(gk, dwo, dbo, xk, douto, inpo, meano, rstdo, N, C, false),
        layernormBackwardParamsCall(gk, dwo, dbo, xk, douto, inpo, meano, rstdo, N, C, true), null, null);
  }

  private static KernelCall layernormBackwardParamsCall(BufferKind gk, int dwo, int dbo, BufferKind xk, int douto,
      int inpo, int meano, int rstdo, int N, int C, boolean host) {
    int hasBias = dbo >= 0 ? 1 : 0;
    int db = Math.max(dbo, 0);
    int lanes = Rounding.cpuLanes();
    int rows = CpuScalarMath.layernormGradientRowBlock(N);
    if (host) {
      return (s, a, ctx) -> s.task(HostRowKernels::layernormBackwardParams, a.of(xk), a.of(gk), dwo, db, hasBias,
          douto, inpo, meano, rstdo, lanes, rows, N, C);
    }
    return (s, a, ctx) -> s.task(RowKernels::layernormBackwardParams, a.of(xk), a.of(gk), dwo, db, hasBias, douto,
        inpo, meano, rstdo, lanes, rows, N, C);
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
  // also saves each row's max and sum of exponentials in stats (N,2) for crossEntropyBackward. The
  // sum as the CPU backend's (RowOps.expShiftedSum over `lanes`-float vectors, the last one masked):
  // lane l adds exp(x_i - max) for i = l, l + lanes, ... < V, the lanes added left to right, with the
  // CPU's exp (CpuMath). The loss's log is FloatLog's: the CPU's (float) StrictMath.log in float only.
  public static void crossEntropyForward(FloatArray m, IntArray ix, int losseso, int statso, int logitso,
      int targetso, int lanes, int N, int V, int Vp) {
    for (@Parallel int n = 0; n < N; n++) {
      int l = logitso + n * Vp;
      float max = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < V; i++) max = TornadoMath.max(max, m.get(l + i));
      float sum = 0f;
      for (int lane = 0; lane < lanes; lane++) {
        float part = 0f;
        for (int i = lane; i < V; i += lanes) part += CpuMath.expNonPositive(m.get(l + i) - max);
        sum += part;
      }
      int target = ix.get(targetso + n);
      // -log(exp(x_t - max) / sum) without forming the probability
      m.set(losseso + n, FloatLog.log(sum) - (m.get(l + target) - max));
      if (statso >= 0) {
        m.set(statso + 2 * n, max);
        m.set(statso + 2 * n + 1, sum);
      }
    }
  }

  /** statso = -1: losses only; otherwise also the row max and sum at statso (N,2). */
  static Launch launchCrossEntropyForward(BufferKind kind, int losseso, int statso, int logitso, int targetso,
      int N, int V, int Vp) {
    return new Launch(Launch.sig("crossEntropyForward", kind, losseso, statso, logitso, targetso, N, V, Vp), true,
        crossEntropyForwardCall(kind, losseso, statso, logitso, targetso, N, V, Vp, false),
        crossEntropyForwardCall(kind, losseso, statso, logitso, targetso, N, V, Vp, true), null, null);
  }

  /** crossEntropyForward's call, on the device or the host (also the host twin of RowGroupKernels'). */
  static KernelCall crossEntropyForwardCall(BufferKind kind, int losseso, int statso, int logitso, int targetso,
      int N, int V, int Vp, boolean host) {
    int lanes = Rounding.cpuLanes();
    if (host) {
      return (s, a, ctx) -> s.task(HostRowKernels::crossEntropyForward, a.of(kind), a.ints(), losseso, statso,
          logitso, targetso, lanes, N, V, Vp);
    }
    return (s, a, ctx) -> s.task(RowKernels::crossEntropyForward, a.of(kind), a.ints(), losseso, statso, logitso,
        targetso, lanes, N, V, Vp);
  }

  // logits (N,Vp) := (softmax - onehot(target)) * dlossScale over the first V columns, 0 beyond;
  // the softmax from the row stats (N,2) that crossEntropyForward saved; one work item per element.
  // As the CPU backend: exp(x - max) * (dlossScale / sum), minus dlossScale at the target.
  public static void crossEntropyBackward(FloatArray m, IntArray ix, int logitso, int statso, int targetso,
      float dlossScale, int N, int V, int Vp) {
    for (@Parallel int n = 0; n < N; n++) {
      for (@Parallel int i = 0; i < Vp; i++) {
        float g = 0f;
        if (i < V) {
          float e = CpuMath.expNonPositive(m.get(logitso + n * Vp + i) - m.get(statso + 2 * n));
          g = e * (dlossScale / m.get(statso + 2 * n + 1));
          if (i == ix.get(targetso + n)) g = g - dlossScale;
        }
        m.set(logitso + n * Vp + i, g);
      }
    }
  }

  static Launch launchCrossEntropyBackward(BufferKind kind, int logitso, int statso, int targetso, float dlossScale,
      int N, int V, int Vp) {
    return new Launch(Launch.sig("crossEntropyBackward", kind, logitso, statso, targetso, dlossScale, N, V, Vp), true,
        (s, a, ctx) -> s.task(RowKernels::crossEntropyBackward, a.of(kind), a.ints(), logitso, statso, targetso,
            dlossScale, N, V, Vp),
        (s, a, ctx) -> s.task(HostRowKernels::crossEntropyBackward, a.of(kind), a.ints(), logitso, statso, targetso,
            dlossScale, N, V, Vp), null, null);
  }
}
