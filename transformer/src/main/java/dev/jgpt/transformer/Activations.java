package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.Slice;
import java.util.Arrays;

/**
 * The forward pass's activations for a (B,T) batch, all in one flat buffer laid out like llm.c's
 * ActivationTensors: each kind is one (L, B, T, ...) block; everything the backward pass needs is
 * kept, except what {@link Recompute} lets the backward pass recompute (and the projections'
 * outputs, only needed to form the residual): those no layer keeps, they live in the activation
 * gradients' memory, one tensor that every layer's entry names. N = B*T below. The "...Drop" tensors (dropout outputs) exist only when the model has
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
  final long attLength; // floats of each layer's att: the weights (B, NH, T, T) or the backend's smaller attention state

  private final ActivationGrads lender; // whose wide gradient tensors the unkept activations borrow, or null

  /**
   * @param attLength floats of each layer's att: {@link #attentionWeights} where something reads the
   *     weights, else the backend's {@link Backend#attentionStateSize} (training)
   * @param lender the model's activation gradients, where {@code recompute} is not NONE
   */
  Activations(GptConfig cfg, int B, int T, Recompute recompute, long attLength, ActivationGrads lender,
      Backend backend) {
    if ((recompute != Recompute.NONE) != (lender != null && lender.reused)) {
      throw new IllegalArgumentException("recomputed activations borrow the reused activation gradients' memory");
    }
    this.recompute = recompute;
    this.attLength = attLength;
    this.lender = lender;
    buf = BufferCursor.allocate(backend, "acts", "activations", c -> layOut(c, cfg, B, T));
  }

  /** Floats the buffer of a (B,T) batch holds with the attention weights kept: {@link #floatCount(GptConfig, int, int, Recompute, long)}. */
  static long floatCount(GptConfig cfg, int B, int T, Recompute recompute) {
    return floatCount(cfg, B, T, recompute, attentionWeights(cfg, B, T));
  }

  /** Floats the buffer of a (B,T) batch holds: the counting pass of the same layout, nothing allocated. */
  static long floatCount(GptConfig cfg, int B, int T, Recompute recompute, long attLength) {
    return BufferCursor.count(c -> new Activations(recompute, attLength).layOut(c, cfg, B, T));
  }

  /** Floats of one layer's attention weights (B, NH, T, T): att where something reads them. */
  static long attentionWeights(GptConfig cfg, int B, int T) {
    return (long) B * cfg.nHead() * T * T;
  }

  /** Whether each layer's att holds the weights rather than the backend's smaller attention state. */
  boolean keepsAttentionWeights(GptConfig cfg, int B, int T) {
    return attLength >= attentionWeights(cfg, B, T);
  }

  /** A layout-only instance for {@link #floatCount}: its slices stay null and it owns no buffer. */
  private Activations(Recompute recompute, long attLength) {
    this.recompute = recompute;
    this.attLength = attLength;
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
    Slice[] ln1 = keepCheap ? c.takeLayers(L, N * C) : borrow(Lent.WIDE2, 0, N * C, L);
    Slice[] ln1Mean = c.takeLayers(L, N);
    Slice[] ln1Rstd = c.takeLayers(L, N);
    Slice[] qkv = c.takeLayers(L, N * 3 * C);
    // what no layer keeps lives in the activation gradients' memory, where ActivationGrads.layOutReused
    // says, one tensor that all layers' entries name
    Slice[] atty = keepAttention ? c.takeLayers(L, N * C) : borrow(Lent.WIDE1, 0, N * C, L);
    Slice[] att = keepAttention ? c.takeLayers(L, attLength) : borrow(Lent.WIDE2, 0, attLength, L);
    // the projections' outputs and their dropout copies only form the residual (the backward pass
    // reads neither): one tensor each, that both projections of every layer write
    Slice[] attproj = keepCheap ? c.takeShared(L, N * C) : borrow(Lent.WIDE1, 3 * N * C, N * C, L);
    Slice[] attprojDrop = !dropout ? new Slice[L] : keepCheap ? c.takeShared(L, N * C) : borrow(Lent.NARROW, 0, N * C, L);
    Slice[] residual2 = c.takeLayers(L, N * C);
    Slice[] ln2 = keepCheap ? c.takeLayers(L, N * C) : borrow(Lent.WIDE1, 0, N * C, L);
    Slice[] ln2Mean = c.takeLayers(L, N);
    Slice[] ln2Rstd = c.takeLayers(L, N);
    Slice[] fch = c.takeLayers(L, N * 4 * C);
    Slice[] fchGelu = keepCheap ? c.takeLayers(L, N * 4 * C) : borrow(Lent.WIDE2, 0, N * 4 * C, L);
    Slice[] fcproj = attproj;
    Slice[] fcprojDrop = attprojDrop;
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

  private enum Lent { NARROW, WIDE1, WIDE2 }

  /**
   * L entries that all name {@code length} floats from {@code from} of the lender's tensor
   * {@code which}; null entries in the counting pass (nothing of this buffer is taken).
   */
  private Slice[] borrow(Lent which, long from, long length, int L) {
    Slice[] entries = new Slice[L];
    if (lender == null) return entries;
    Slice lent = switch (which) {
      case NARROW -> lender.narrow;
      case WIDE1 -> lender.wide1;
      case WIDE2 -> lender.wide2;
    };
    Arrays.fill(entries, lent.sub(Math.toIntExact(from), Math.toIntExact(length)));
    return entries;
  }
}
