package dev.jgpt.transformer;

import dev.jgpt.kernels.Slice;

/** The tensors of a decode step: one position, so every row count is 1. */
record DecodeActivations(
    Slice resA, Slice resB, // (C) the residual stream, ping-pong between the two halves of a block
    Slice ln, // (C)
    Slice mean, Slice rstd, // (1)
    Slice qkv, // (3C)
    Slice atty, // (C)
    Slice att, // (NH, T) attention weights over the cached positions
    Slice attproj, // (C)
    Slice fch, Slice fchGelu, // (4C)
    Slice fcproj, // (C)
    Slice logits) { // (Vp)

  static DecodeActivations layOut(BufferCursor c, int C, int NH, int T, int Vp) {
    return new DecodeActivations(c.take(C), c.take(C), c.take(C), c.take(1), c.take(1), c.take(3L * C), c.take(C),
        c.take((long) NH * T), c.take(C), c.take(4L * C), c.take(4L * C), c.take(C), c.take(Vp));
  }

  /** What every layer's block writes: one ln and mean/rstd for both norms; in resA, via resB, out to resA. */
  BlockActivations asBlock() {
    return new BlockActivations(ln, mean, rstd, qkv, atty, att, attproj, null, resB, ln, mean, rstd, fch, fchGelu,
        fcproj, null, resA);
  }
}
