package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.Slice;

/**
 * The forward pass's activations for a (B,T) batch, all in one flat buffer laid out like llm.c's
 * ActivationTensors: each kind is one (L, B, T, ...) block; everything the backward pass needs is
 * kept. N = B*T below. The "...Drop" tensors (dropout outputs) exist only when the model has
 * dropout; otherwise they are null and the forward pass skips the dropout ops.
 */
final class Activations {
  final FloatBuf buf; // every tensor below, one after another (layOut)
  Slice encoded; // (N, C) wte[token] + wpe[t]
  Slice encodedDrop; // (N, C) dropout(encoded), or null
  Slice[] ln1; // (L) x (N, C)
  Slice[] ln1Mean, ln1Rstd; // (L) x (N)
  Slice[] qkv; // (L) x (N, 3C)
  Slice[] atty; // (L) x (N, C) attention output before the projection
  Slice[] att; // (L) x (B, NH, T, T) softmaxed attention weights
  Slice[] attproj; // (L) x (N, C)
  Slice[] attprojDrop; // (L) x (N, C) dropout(attproj), or null
  Slice[] residual2; // (L) x (N, C) residual + attention branch
  Slice[] ln2; // (L) x (N, C)
  Slice[] ln2Mean, ln2Rstd; // (L) x (N)
  Slice[] fch; // (L) x (N, 4C)
  Slice[] fchGelu; // (L) x (N, 4C)
  Slice[] fcproj; // (L) x (N, C)
  Slice[] fcprojDrop; // (L) x (N, C) dropout(fcproj), or null
  Slice[] residual3; // (L) x (N, C) residual2 + MLP branch: the block's output
  Slice lnf; // (N, C)
  Slice lnfMean, lnfRstd; // (N)
  Slice logits; // (N, Vp); the training step overwrites it with dlogits
  Slice losses; // (N) per-position cross-entropy

  Activations(GptConfig cfg, int B, int T, Backend backend) {
    buf = BufferCursor.allocate(backend, "acts", "activations", c -> layOut(c, cfg, B, T));
  }

  /** Floats the buffer of a (B,T) batch holds: the counting pass of the same layout, nothing allocated. */
  static long floatCount(GptConfig cfg, int B, int T) {
    return BufferCursor.count(c -> new Activations().layOut(c, cfg, B, T));
  }

  /** A layout-only instance for {@link #floatCount}: its slices stay null and it owns no buffer. */
  private Activations() {
    buf = null;
  }

  private void layOut(BufferCursor c, GptConfig cfg, int B, int T) {
    int L = cfg.nLayer();
    long N = (long) B * T;
    long C = cfg.nEmbd();
    boolean dropout = cfg.dropout() > 0f;
    encoded = c.take(N * C);
    encodedDrop = dropout ? c.take(N * C) : null;
    ln1 = c.takeLayers(L, N * C);
    ln1Mean = c.takeLayers(L, N);
    ln1Rstd = c.takeLayers(L, N);
    qkv = c.takeLayers(L, N * 3 * C);
    atty = c.takeLayers(L, N * C);
    att = c.takeLayers(L, (long) B * cfg.nHead() * T * T);
    attproj = c.takeLayers(L, N * C);
    attprojDrop = dropout ? c.takeLayers(L, N * C) : null;
    residual2 = c.takeLayers(L, N * C);
    ln2 = c.takeLayers(L, N * C);
    ln2Mean = c.takeLayers(L, N);
    ln2Rstd = c.takeLayers(L, N);
    fch = c.takeLayers(L, N * 4 * C);
    fchGelu = c.takeLayers(L, N * 4 * C);
    fcproj = c.takeLayers(L, N * C);
    fcprojDrop = dropout ? c.takeLayers(L, N * C) : null;
    residual3 = c.takeLayers(L, N * C);
    lnf = c.take(N * C);
    lnfMean = c.take(N);
    lnfRstd = c.take(N);
    logits = c.take(N * cfg.paddedVocabSize());
    losses = c.take(N);
  }
}
