package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.Slice;

/**
 * Gradients of the activations for the backward pass, in one flat buffer. Unlike the forward
 * activations they are not kept per layer: the backward pass walks the layers one at a time, so
 * one layer's worth of scratch is reused, and only the residual stream's gradient flows from
 * layer to layer. Nothing but dresidual is ever zeroed: every other tensor is written whole by the
 * backward op that produces it (the Backend contract) before it is read. When the model recomputes
 * activations ({@link Recompute}, a memory-bound shape) the layer's gradients also take turns in
 * three tensors instead of eight. N = B*T below.
 */
final class ActivationGrads {
  final FloatBuf buf; // every tensor below, one after another (layOut)
  Slice dresidual; // (N, C) gradient of the residual stream at the current point of the backward pass
  Slice dln1; // (N, C) gradient of ln_1's output (and of ln_f's, before the layers)
  Slice dqkv; // (N, 3C)
  Slice datty; // (N, C)
  Slice dattproj; // (N, C) before dropout, or null without dropout
  Slice dln2; // (N, C) gradient of ln_2's output
  Slice dfch; // (N, 4C)
  Slice dfchGelu; // (N, 4C)
  Slice dfcproj; // (N, C) before dropout, or null without dropout
  Slice dencoded; // (N, C) embeddings before dropout, or null without dropout

  final boolean reused; // the per-layer tensors share three, each taken by the next once the last is dead
  // where reused, the three tensors they take turns in, which the forward pass (and the recomputing
  // in the backward pass) borrows for the activations no layer keeps: see layOutReused
  Slice narrow; // (N, C): dfcproj, dln2, dattproj, dln1, dencoded
  Slice wide1; // (N, 4C): dfchGelu, then dqkv (its first 3C columns' worth) and datty (the rest)
  Slice wide2; // (N, 4C), or att's length (Activations.attLength) where attention is recomputed and that is larger: dfch

  /** @param attLength floats of one layer's att (Activations' attLength), which wide2 holds where attention is recomputed */
  ActivationGrads(GptConfig cfg, int B, int T, Recompute recompute, long attLength, Backend backend) {
    reused = recompute != Recompute.NONE;
    buf = BufferCursor.allocate(backend, "grad_acts", "activation gradients",
        c -> layOut(c, cfg, B, T, recompute, attLength));
  }

  /** Floats the buffer holds with the attention weights kept: {@link #floatCount(GptConfig, int, int, Recompute, long)}. */
  static long floatCount(GptConfig cfg, int B, int T, Recompute recompute) {
    return floatCount(cfg, B, T, recompute, Activations.attentionWeights(cfg, B, T));
  }

  /** Floats the buffer of a (B,T) batch holds: the counting pass of the same layout, nothing allocated. */
  static long floatCount(GptConfig cfg, int B, int T, Recompute recompute, long attLength) {
    return BufferCursor.count(c -> new ActivationGrads(recompute).layOut(c, cfg, B, T, recompute, attLength));
  }

  /** A layout-only instance for {@link #floatCount}: its slices stay null and it owns no buffer. */
  private ActivationGrads(Recompute recompute) {
    reused = recompute != Recompute.NONE;
    buf = null;
  }

  private void layOut(BufferCursor c, GptConfig cfg, int B, int T, Recompute recompute, long attLength) {
    long N = (long) B * T;
    long C = cfg.nEmbd();
    boolean dropout = cfg.dropout() > 0f;
    dresidual = c.take(N * C);
    if (reused) {
      long att = recompute == Recompute.ATTENTION_TOO ? attLength : 0;
      layOutReused(c, N, C, Math.max(N * 4 * C, att), dropout);
    } else {
      dln1 = c.take(N * C);
      dqkv = c.take(N * 3 * C);
      datty = c.take(N * C);
      dattproj = dropout ? c.take(N * C) : null;
      dln2 = c.take(N * C);
      dfch = c.take(N * 4 * C);
      dfchGelu = c.take(N * 4 * C);
      dfcproj = dropout ? c.take(N * C) : null;
      dencoded = dropout ? c.take(N * C) : null;
    }
  }

  /**
   * Three tensors for a layer's eight, each taken by the next gradient once the backward pass is
   * done with the last (see the fields). {@link Activations} lays the tensors that no layer keeps
   * over them too: a forward pass needs no gradient, and in both passes each tensor is dead before
   * the next one sharing its memory is written. Forward, per layer: ln_1 at wide2's start; att over
   * wide2, atty at wide1's start; attproj at wide1's end; its dropout copy in narrow; ln_2 at
   * wide1's start; gelu(fch) over wide2; fcproj at wide1's end; its dropout copy in narrow.
   * Backward, in {@link Block#backward}'s order: gelu(fch) recomputed over wide2; dfcproj in narrow;
   * dfchGelu over wide1; dfch over wide2; ln_2 recomputed at wide1's start; dln2 in narrow; att and
   * atty recomputed (wide2, wide1's start); dattproj in narrow; datty at wide1's end; dqkv at
   * wide1's start; ln_1 recomputed at wide2's start; dln1 in narrow.
   */
  private void layOutReused(BufferCursor c, long N, long C, long wide2Length, boolean dropout) {
    long small = c.position();
    c.take(N * C);
    long first = c.position();
    c.take(N * 4 * C);
    long second = c.position();
    c.take(wide2Length);
    narrow = c.span(small, small + N * C);
    wide1 = c.span(first, first + N * 4 * C);
    wide2 = c.span(second, second + wide2Length);
    dfcproj = dropout ? c.span(small, small + N * C) : null;
    dfchGelu = c.span(first, first + N * 4 * C);
    dfch = c.span(second, second + N * 4 * C);
    dln2 = c.span(small, small + N * C);
    dattproj = dropout ? c.span(small, small + N * C) : null;
    dqkv = c.span(first, first + N * 3 * C);
    datty = c.span(first + N * 3 * C, first + N * 4 * C);
    dln1 = c.span(small, small + N * C);
    dencoded = dropout ? c.span(small, small + N * C) : null;
  }
}
