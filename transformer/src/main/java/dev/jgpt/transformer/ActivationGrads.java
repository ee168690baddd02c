package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.Slice;

/**
 * Gradients of the activations for the backward pass, in one flat buffer. Unlike the forward
 * activations they are not kept per layer: the backward pass walks the layers one at a time, so
 * one layer's worth of scratch is reused (zeroed before each layer, because backward ops add),
 * and only the residual stream's gradient flows from layer to layer. When the model recomputes
 * activations ({@link Recompute}, a memory-bound shape) the layer's gradients also take turns in
 * three tensors instead of eight. N = B*T below.
 */
final class ActivationGrads {
  final FloatBuf buf; // every tensor below, one after another (layOut)
  Slice dresidual; // (N, C) gradient of the residual stream at the current point of the backward pass
  Slice scratch; // every per-layer tensor below, contiguous, so one zero() clears them
  Slice dln1; // (N, C) gradient of ln_1's output (and of ln_f's, before the layers)
  Slice dqkv; // (N, 3C)
  Slice datty; // (N, C)
  Slice dattproj; // (N, C) before dropout, or null without dropout
  Slice dln2; // (N, C) gradient of ln_2's output
  Slice dfch; // (N, 4C)
  Slice dfchGelu; // (N, 4C)
  Slice dfcproj; // (N, C) before dropout, or null without dropout
  Slice dencoded; // (N, C) embeddings before dropout, or null without dropout

  final boolean reused; // the per-layer tensors share three: each must be zeroed just before its first use
  // where reused, the two wide tensors, which the forward pass (and the recomputing in the backward
  // pass) borrows as scratch for activations no layer keeps: see layOutReused
  Slice wide1; // (N, 4C): dfchGelu, then dqkv and datty
  Slice wide2; // (N, 4C), or max with (B, NH, T, T) where attention is recomputed: dfch, then datty

  ActivationGrads(GptConfig cfg, int B, int T, Recompute recompute, Backend backend) {
    reused = recompute != Recompute.NONE;
    buf = BufferCursor.allocate(backend, "grad_acts", "activation gradients", c -> layOut(c, cfg, B, T, recompute));
  }

  /** Floats the buffer of a (B,T) batch holds: the counting pass of the same layout, nothing allocated. */
  static long floatCount(GptConfig cfg, int B, int T, Recompute recompute) {
    return BufferCursor.count(c -> new ActivationGrads(recompute).layOut(c, cfg, B, T, recompute));
  }

  /** A layout-only instance for {@link #floatCount}: its slices stay null and it owns no buffer. */
  private ActivationGrads(Recompute recompute) {
    reused = recompute != Recompute.NONE;
    buf = null;
  }

  private void layOut(BufferCursor c, GptConfig cfg, int B, int T, Recompute recompute) {
    long N = (long) B * T;
    long C = cfg.nEmbd();
    boolean dropout = cfg.dropout() > 0f;
    dresidual = c.take(N * C);
    long scratchStart = c.position();
    if (reused) {
      long att = recompute == Recompute.ATTENTION_TOO ? (long) B * cfg.nHead() * T * T : 0;
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
    scratch = c.span(scratchStart, c.position());
  }

  /**
   * Three tensors for a layer's eight, each taken by the next gradient once the backward pass is
   * done with the last: in the order {@link Block#backward} writes them, (N, C) holds dfcproj,
   * dln2, dattproj, dln1 (and after the layers dencoded); wide1 (N, 4C) dfchGelu, then dqkv in its
   * first 3C columns' worth and datty in the rest; wide2 dfch. {@link Activations} lays gelu(fch)
   * over wide2 and, where attention is recomputed, att over wide2 and atty over wide1: a layer's
   * backward pass is done with each before the gradient sharing its memory is zeroed.
   */
  private void layOutReused(BufferCursor c, long N, long C, long wide2Length, boolean dropout) {
    long small = c.position();
    c.take(N * C);
    long first = c.position();
    c.take(N * 4 * C);
    long second = c.position();
    c.take(wide2Length);
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
