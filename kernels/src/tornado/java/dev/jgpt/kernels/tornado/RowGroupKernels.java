package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.ReferenceKernels;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The row kernels of {@link RowKernels} for GPUs: one work group of {@link #GROUP} work items per
 * row instead of one work item per row. The items stride over the row's columns (neighbouring
 * items read neighbouring floats: coalesced) and combine their partial sums and maxima with a tree
 * in local memory, so a row of C = 768 or V = 50,257 takes log2(GROUP) barrier steps instead of one
 * thread's serial pass.
 *
 * <p>Grid: {N * GROUP, 1} in work groups of {GROUP, 1}; row n = groupIdx. The host runs the
 * {@link RowKernels} loops as the CPU twin (the same sums in serial order: results agree to float
 * rounding, well inside the kernel tests' tolerance).
 *
 * <p>Buffers (role groups, see {@link Arena}): layer norm takes the rows' side {@code x} and the
 * weights {@code w}, each once; softmax and cross-entropy take one array {@code m} (and the int
 * array {@code ix} for targets); then an offset per tensor. Activations: inp, out, mean, rstd, logits,
 * probs, losses; parameters: weight, bias; activation gradients: dout, dinp; scratch: stats.
 */
public final class RowGroupKernels {
  private RowGroupKernels() {}

  /** Work items per row (a power of two, for the tree). */
  public static final int GROUP = 256;

  /** The {x, y, localX, localY} grid for N rows. */
  static int[] grid(int N) {
    return new int[] {N * GROUP, 1, GROUP, 1};
  }

  // out (N,C) = (inp - mean) * rstd * weight + bias per row; mean (N), rstd (N) saved for backward.
  // x offsets: outo -> out (N,C) activation, meano/rstdo -> (N) activations, inpo -> inp (N,C)
  // activation; w offsets: weighto -> weight (C) parameter, biaso -> bias (C) parameter when
  // hasBias == 1.
  public static void layernormForward(KernelContext ctx, FloatArray x, FloatArray w, int outo, int meano, int rstdo,
      int inpo, int weighto, int biaso, int hasBias, int N, int C) {
    int n = ctx.groupIdx;
    int lid = ctx.localIdx;
    float[] part = ctx.allocateFloatLocalArray(GROUP); // one partial per work item
    int row = inpo + n * C;
    float sum = 0f;
    for (int c = lid; c < C; c += GROUP) sum += x.get(row + c);
    part[lid] = sum;
    ctx.localBarrier();
    for (int stride = GROUP / 2; stride > 0; stride = stride / 2) {
      if (lid < stride) part[lid] += part[lid + stride];
      ctx.localBarrier();
    }
    float mean = part[0] / C;
    ctx.localBarrier(); // every item has read part[0] before it is reused
    float var = 0f;
    for (int c = lid; c < C; c += GROUP) {
      float d = x.get(row + c) - mean;
      var += d * d;
    }
    part[lid] = var;
    ctx.localBarrier();
    for (int stride = GROUP / 2; stride > 0; stride = stride / 2) {
      if (lid < stride) part[lid] += part[lid + stride];
      ctx.localBarrier();
    }
    float s = 1f / TornadoMath.sqrt(part[0] / C + ReferenceKernels.LAYERNORM_EPS);
    for (int c = lid; c < C; c += GROUP) {
      float b = hasBias == 1 ? w.get(biaso + c) : 0f;
      x.set(outo + n * C + c, (x.get(row + c) - mean) * s * w.get(weighto + c) + b);
    }
    if (lid == 0) {
      x.set(meano + n, mean);
      x.set(rstdo + n, s);
    }
  }

  static Launch launchLayernormForward(BufferKind xk, int outo, int meano, int rstdo, int inpo, BufferKind wk,
      int wo, int bo, int N, int C) {
    int hasBias = bo >= 0 ? 1 : 0;
    int b = Math.max(bo, 0);
    KindCheck.apart("layernormForward", new String[] {"activations", "weight and bias"}, xk, wk);
    return new Launch(Launch.sig("layernormForward.group", xk, outo, meano, rstdo, inpo, wk, wo, bo, N, C), false,
        (s, a, ctx) -> s.task(RowGroupKernels::layernormForward, ctx, a.of(xk), a.of(wk), outo, meano, rstdo, inpo,
            wo, b, hasBias, N, C),
        RowKernels.layernormForwardCall(xk, outo, meano, rstdo, inpo, wk, wo, bo, N, C, true), grid(N), null);
  }

  // dinp (N,C) += the input gradient of layernormForward, one work group per row.
  // x offsets: dinpo -> dinp (N,C) activation gradient, douto -> dout (N,C) activation gradient,
  // inpo -> inp (N,C) activation, meano/rstdo -> (N) activations; w offset: weighto -> weight (C)
  // parameter.
  public static void layernormBackwardInput(KernelContext ctx, FloatArray x, FloatArray w, int dinpo, int douto,
      int inpo, int weighto, int meano, int rstdo, int N, int C) {
    int n = ctx.groupIdx;
    int lid = ctx.localIdx;
    float[] partMean = ctx.allocateFloatLocalArray(GROUP); // partial sums of dnorm
    float[] partNorm = ctx.allocateFloatLocalArray(GROUP); // partial sums of dnorm * norm
    int row = inpo + n * C;
    int d = douto + n * C;
    float mean = x.get(meano + n);
    float s = x.get(rstdo + n);
    float dnormMean = 0f;
    float dnormNormMean = 0f;
    for (int c = lid; c < C; c += GROUP) {
      float norm = (x.get(row + c) - mean) * s;
      float dnorm = w.get(weighto + c) * x.get(d + c);
      dnormMean += dnorm;
      dnormNormMean += dnorm * norm;
    }
    partMean[lid] = dnormMean;
    partNorm[lid] = dnormNormMean;
    ctx.localBarrier();
    for (int stride = GROUP / 2; stride > 0; stride = stride / 2) {
      if (lid < stride) {
        partMean[lid] += partMean[lid + stride];
        partNorm[lid] += partNorm[lid + stride];
      }
      ctx.localBarrier();
    }
    dnormMean = partMean[0] / C;
    dnormNormMean = partNorm[0] / C;
    for (int c = lid; c < C; c += GROUP) {
      float norm = (x.get(row + c) - mean) * s;
      float dnorm = w.get(weighto + c) * x.get(d + c);
      int o = dinpo + n * C + c;
      x.set(o, x.get(o) + (dnorm - dnormMean - norm * dnormNormMean) * s);
    }
  }

  static Launch launchLayernormBackwardInput(BufferKind xk, int dinpo, int douto, int inpo, BufferKind wk, int wo,
      int meano, int rstdo, int N, int C) {
    KindCheck.apart("layernormBackward", new String[] {"activations", "weight"}, xk, wk);
    return new Launch(Launch.sig("layernormBackward.input.group", xk, dinpo, douto, inpo, wk, wo, meano, rstdo, N, C),
        false,
        (s, a, ctx) -> s.task(RowGroupKernels::layernormBackwardInput, ctx, a.of(xk), a.of(wk), dinpo, douto, inpo,
            wo, meano, rstdo, N, C),
        RowKernels.layernormBackwardInputCall(xk, dinpo, douto, inpo, wk, wo, meano, rstdo, N, C, true),
        grid(N), null);
  }

  // probs (N,Vp) = softmax over the first V columns of logits (N,Vp); columns V..Vp get 0.
  // m offsets: probso -> probs (N,Vp) activation, logitso -> logits (N,Vp) activation.
  public static void softmaxForward(KernelContext ctx, FloatArray m, int probso, int logitso, int N, int V, int Vp) {
    int n = ctx.groupIdx;
    int lid = ctx.localIdx;
    float[] part = ctx.allocateFloatLocalArray(GROUP); // partial maxima, then partial sums
    int l = logitso + n * Vp;
    int p = probso + n * Vp;
    float max = Float.NEGATIVE_INFINITY;
    for (int i = lid; i < V; i += GROUP) max = TornadoMath.max(max, m.get(l + i));
    part[lid] = max;
    ctx.localBarrier();
    for (int stride = GROUP / 2; stride > 0; stride = stride / 2) {
      if (lid < stride) part[lid] = TornadoMath.max(part[lid], part[lid + stride]);
      ctx.localBarrier();
    }
    max = part[0];
    ctx.localBarrier(); // every item has read part[0] before it is reused
    float sum = 0f;
    for (int i = lid; i < V; i += GROUP) {
      float e = TornadoMath.exp(m.get(l + i) - max);
      m.set(p + i, e);
      sum += e;
    }
    part[lid] = sum;
    ctx.localBarrier();
    for (int stride = GROUP / 2; stride > 0; stride = stride / 2) {
      if (lid < stride) part[lid] += part[lid + stride];
      ctx.localBarrier();
    }
    sum = part[0];
    // each item divides the columns it wrote itself: no barrier needed between the passes
    for (int i = lid; i < V; i += GROUP) m.set(p + i, m.get(p + i) / sum);
    for (int i = V + lid; i < Vp; i += GROUP) m.set(p + i, 0f);
  }

  static Launch launchSoftmaxForward(BufferKind kind, int probso, int logitso, int N, int V, int Vp) {
    return new Launch(Launch.sig("softmaxForward.group", kind, probso, logitso, N, V, Vp), false,
        (s, a, ctx) -> s.task(RowGroupKernels::softmaxForward, ctx, a.of(kind), probso, logitso, N, V, Vp),
        (s, a, ctx) -> s.task(RowKernels::softmaxForward, a.of(kind), probso, logitso, N, V, Vp),
        grid(N), null);
  }

  // losses (N) = -log softmax(logits (N,Vp))[targets (N)] over the first V columns; when statso >= 0
  // also each row's max and sum of exponentials at stats (N,2) for crossEntropyBackward.
  // m offsets: losseso -> losses (N) activation, statso -> stats (N,2) scratch, logitso -> logits
  // (N,Vp) activation; ix offset: targetso -> targets (N) token ids.
  public static void crossEntropyForward(KernelContext ctx, FloatArray m, IntArray ix, int losseso, int statso,
      int logitso, int targetso, int N, int V, int Vp) {
    int n = ctx.groupIdx;
    int lid = ctx.localIdx;
    float[] part = ctx.allocateFloatLocalArray(GROUP); // partial maxima, then partial sums
    int l = logitso + n * Vp;
    float max = Float.NEGATIVE_INFINITY;
    for (int i = lid; i < V; i += GROUP) max = TornadoMath.max(max, m.get(l + i));
    part[lid] = max;
    ctx.localBarrier();
    for (int stride = GROUP / 2; stride > 0; stride = stride / 2) {
      if (lid < stride) part[lid] = TornadoMath.max(part[lid], part[lid + stride]);
      ctx.localBarrier();
    }
    max = part[0];
    ctx.localBarrier(); // every item has read part[0] before it is reused
    float sum = 0f;
    for (int i = lid; i < V; i += GROUP) sum += TornadoMath.exp(m.get(l + i) - max);
    part[lid] = sum;
    ctx.localBarrier();
    for (int stride = GROUP / 2; stride > 0; stride = stride / 2) {
      if (lid < stride) part[lid] += part[lid + stride];
      ctx.localBarrier();
    }
    if (lid == 0) {
      sum = part[0];
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
  static Launch launchCrossEntropyForward(BufferKind kind, int losseso, int statso, int logitso, int targetso, int N,
      int V, int Vp) {
    return new Launch(Launch.sig("crossEntropyForward.group", kind, losseso, statso, logitso, targetso, N, V, Vp), true,
        (s, a, ctx) -> s.task(RowGroupKernels::crossEntropyForward, ctx, a.of(kind), a.ints(), losseso, statso, logitso,
            targetso, N, V, Vp),
        RowKernels.crossEntropyForwardCall(kind, losseso, statso, logitso, targetso, N, V, Vp, true), grid(N), null);
  }
}
