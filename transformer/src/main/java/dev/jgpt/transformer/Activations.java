package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.Slice;

/**
 * The forward pass's activations for a (B,T) batch, all in one flat buffer laid out like llm.c's
 * ActivationTensors: each kind is one (L, B, T, ...) block; everything the backward pass needs is
 * kept. N = B*T below. The "...Drop" tensors (dropout outputs) exist only when the model has
 * dropout; otherwise they are null and the forward pass skips the dropout ops. Each layer's
 * tensors are grouped as {@code h[l]}, the view a {@link Block} works on.
 */
final class Activations {
  final FloatBuf buf; // every tensor below, one after another (layOut)
  Slice encoded; // (N, C) wte[token] + wpe[t]
  Slice encodedDrop; // (N, C) dropout(encoded), or null
  BlockActivations[] h; // (L) each layer's tensors, sliced from one (L, ...) block per kind (shapes in layOut)
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
    Slice[] ln1 = c.takeLayers(L, N * C);
    Slice[] ln1Mean = c.takeLayers(L, N);
    Slice[] ln1Rstd = c.takeLayers(L, N);
    Slice[] qkv = c.takeLayers(L, N * 3 * C);
    Slice[] atty = c.takeLayers(L, N * C);
    Slice[] att = c.takeLayers(L, (long) B * cfg.nHead() * T * T); // (B, NH, T, T)
    Slice[] attproj = c.takeLayers(L, N * C);
    Slice[] attprojDrop = dropout ? c.takeLayers(L, N * C) : new Slice[L];
    Slice[] residual2 = c.takeLayers(L, N * C);
    Slice[] ln2 = c.takeLayers(L, N * C);
    Slice[] ln2Mean = c.takeLayers(L, N);
    Slice[] ln2Rstd = c.takeLayers(L, N);
    Slice[] fch = c.takeLayers(L, N * 4 * C);
    Slice[] fchGelu = c.takeLayers(L, N * 4 * C);
    Slice[] fcproj = c.takeLayers(L, N * C);
    Slice[] fcprojDrop = dropout ? c.takeLayers(L, N * C) : new Slice[L];
    Slice[] residual3 = c.takeLayers(L, N * C);
    h = new BlockActivations[L];
    for (int l = 0; l < L; l++) {
      h[l] = new BlockActivations(ln1[l], ln1Mean[l], ln1Rstd[l], qkv[l], atty[l], att[l], attproj[l], attprojDrop[l],
          residual2[l], ln2[l], ln2Mean[l], ln2Rstd[l], fch[l], fchGelu[l], fcproj[l], fcprojDrop[l], residual3[l]);
    }
    lnf = c.take(N * C);
    lnfMean = c.take(N);
    lnfRstd = c.take(N);
    logits = c.take(N * cfg.paddedVocabSize());
    losses = c.take(N);
  }
}
