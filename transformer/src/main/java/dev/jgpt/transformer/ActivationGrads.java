package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.Slice;

/**
 * Gradients of the activations for the backward pass, in one flat buffer. Unlike the forward
 * activations they are not kept per layer: the backward pass walks the layers one at a time, so
 * one layer's worth of scratch is reused (zeroed before each layer, because backward ops add),
 * and only the residual stream's gradient flows from layer to layer. N = B*T below.
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

  ActivationGrads(GptConfig cfg, int B, int T, Backend backend) {
    buf = BufferCursor.allocate(backend, "grad_acts", "activation gradients", c -> layOut(c, cfg, B, T));
  }

  /** Floats the buffer of a (B,T) batch holds: the counting pass of the same layout, nothing allocated. */
  static long floatCount(GptConfig cfg, int B, int T) {
    return BufferCursor.count(c -> new ActivationGrads().layOut(c, cfg, B, T));
  }

  /** A layout-only instance for {@link #floatCount}: its slices stay null and it owns no buffer. */
  private ActivationGrads() {
    buf = null;
  }

  private void layOut(BufferCursor c, GptConfig cfg, int B, int T) {
    long N = (long) B * T;
    long C = cfg.nEmbd();
    boolean dropout = cfg.dropout() > 0f;
    dresidual = c.take(N * C);
    long scratchStart = c.position();
    dln1 = c.take(N * C);
    dqkv = c.take(N * 3 * C);
    datty = c.take(N * C);
    dattproj = dropout ? c.take(N * C) : null;
    dln2 = c.take(N * C);
    dfch = c.take(N * 4 * C);
    dfchGelu = c.take(N * 4 * C);
    dfcproj = dropout ? c.take(N * C) : null;
    dencoded = dropout ? c.take(N * C) : null;
    scratch = c.span(scratchStart, c.position());
  }
}
