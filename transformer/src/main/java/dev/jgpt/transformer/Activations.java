package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.Slice;
import java.util.Arrays;

/**
 * The forward pass's activations for a (B,T) batch, all in one flat buffer laid out like llm.c's
 * ActivationTensors: each kind is one (L, B, T, ...) block; everything the backward pass needs is
 * kept, except what {@link Recompute} lets the backward pass recompute: those kinds are one tensor
 * that all layers share. N = B*T below. The "...Drop" tensors (dropout outputs) exist only when the model has
 * dropout; otherwise they are null and the forward pass skips the dropout ops. Each layer's
 * tensors are grouped as {@code h[l]}, the view a {@link Block} works on.
 */
final class Activations {
  final FloatBuf buf; // every tensor below, one after another (layOut)
  Slice encoded; // (N, C) wte[token] + wpe[t]
  Slice encodedDrop; // (N, C) dropout(encoded), or null
  BlockActivations[] h; // (L) each layer's tensors, sliced from one (L, ...) block per kind or shared (layOut)
  Slice lnf; // (N, C)
  Slice lnfMean, lnfRstd; // (N)
  Slice logits; // (N, Vp); the training step overwrites it with dlogits
  Slice losses; // (N) per-position cross-entropy

  final Recompute recompute; // which tensors layers share (the backward pass recomputes them)

  private final ActivationGrads lender; // whose wide gradient tensors the unkept activations borrow, or null

  /** @param lender the model's activation gradients, where {@code recompute} is not NONE */
  Activations(GptConfig cfg, int B, int T, Recompute recompute, ActivationGrads lender, Backend backend) {
    if ((recompute != Recompute.NONE) != (lender != null && lender.reused)) {
      throw new IllegalArgumentException("recomputed activations borrow the reused activation gradients' memory");
    }
    this.recompute = recompute;
    this.lender = lender;
    buf = BufferCursor.allocate(backend, "acts", "activations", c -> layOut(c, cfg, B, T));
  }

  /** Floats the buffer of a (B,T) batch holds: the counting pass of the same layout, nothing allocated. */
  static long floatCount(GptConfig cfg, int B, int T, Recompute recompute) {
    return BufferCursor.count(c -> new Activations(recompute).layOut(c, cfg, B, T));
  }

  /** A layout-only instance for {@link #floatCount}: its slices stay null and it owns no buffer. */
  private Activations(Recompute recompute) {
    this.recompute = recompute;
    lender = null;
    buf = null;
  }

  private void layOut(BufferCursor c, GptConfig cfg, int B, int T) {
    int L = cfg.nLayer();
    long N = (long) B * T;
    long C = cfg.nEmbd();
    boolean dropout = cfg.dropout() > 0f;
    boolean keepCheap = recompute == Recompute.NONE;
    boolean keepAttention = recompute != Recompute.ATTENTION_TOO;
    encoded = c.take(N * C);
    encodedDrop = dropout ? c.take(N * C) : null;
    // a kind that is recomputed (or only forms the residual) is one tensor that every layer's entry names
    Slice[] ln1 = layers(c, L, N * C, keepCheap);
    Slice[] ln1Mean = c.takeLayers(L, N);
    Slice[] ln1Rstd = c.takeLayers(L, N);
    Slice[] qkv = c.takeLayers(L, N * 3 * C);
    // gelu(fch), and where recomputed att and atty, live in the activation gradients' wide tensors:
    // the forward pass needs no gradient, and ActivationGrads.layOutReused says why the backward
    // pass is done with each before the gradient sharing its memory is written
    long attLength = (long) B * cfg.nHead() * T * T; // (B, NH, T, T)
    Slice[] atty = keepAttention ? c.takeLayers(L, N * C) : shared(L, borrow(true, N * C));
    Slice[] att = keepAttention ? c.takeLayers(L, attLength) : shared(L, borrow(false, attLength));
    Slice[] attproj = layers(c, L, N * C, keepCheap);
    Slice[] attprojDrop = dropout ? layers(c, L, N * C, keepCheap) : new Slice[L];
    Slice[] residual2 = c.takeLayers(L, N * C);
    Slice[] ln2 = keepCheap ? c.takeLayers(L, N * C) : ln1; // shared: ln_1's and ln_2's outputs
    Slice[] ln2Mean = c.takeLayers(L, N);
    Slice[] ln2Rstd = c.takeLayers(L, N);
    Slice[] fch = c.takeLayers(L, N * 4 * C);
    Slice[] fchGelu = keepCheap ? c.takeLayers(L, N * 4 * C) : shared(L, borrow(false, N * 4 * C));
    Slice[] fcproj = keepCheap ? c.takeLayers(L, N * C) : attproj; // shared: both projections' outputs
    Slice[] fcprojDrop = dropout && keepCheap ? c.takeLayers(L, N * C) : attprojDrop;
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

  /** One tensor per layer, or ({@code perLayer} false) one tensor that all L entries name. */
  private static Slice[] layers(BufferCursor c, int L, long length, boolean perLayer) {
    if (perLayer) return c.takeLayers(L, length);
    return shared(L, c.take(length));
  }

  /** The first {@code length} floats of the lender's wide1 or wide2; null in the counting pass. */
  private Slice borrow(boolean first, long length) {
    if (lender == null) return null;
    return (first ? lender.wide1 : lender.wide2).sub(0, Math.toIntExact(length));
  }

  /** L entries that all name {@code tensor}. */
  private static Slice[] shared(int L, Slice tensor) {
    Slice[] entries = new Slice[L];
    Arrays.fill(entries, tensor);
    return entries;
  }
}
