package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.IntBuf;
import dev.jgpt.kernels.Slice;

/**
 * One transformer block, nanoGPT's {@code Block} (pre-LN):
 * <pre>
 *   x = x + drop(attn.c_proj(attention(attn.c_attn(ln_1(x)))))
 *   x = x + drop(mlp.c_proj(gelu(mlp.c_fc(ln_2(x)))))
 * </pre>
 * written once, as llm.c writes it: the backend's ops in order over a layer's weights
 * ({@link LayerWeights}) and activations ({@link BlockActivations}). Training, prefill and decode
 * all run this code; only the {@link Attention} variant differs (over the sequence, or over the KV
 * cache), and only training has dropout and a backward pass.
 */
final class Block {
  private final Backend backend;
  private final int C; // channels

  Block(Backend backend, int C) {
    this.backend = backend;
    this.C = C;
  }

  /**
   * Layer {@code l}'s forward pass over N rows: reads {@code input} (N, C), writes every tensor of
   * {@code a}, the block's output into {@code a.residual3()}. {@code dropout} null: none.
   */
  void forward(int l, LayerWeights w, BlockActivations a, Slice input, Attention attention, int N, Dropout dropout) {
    forward(l, w, null, a, input, attention, N, dropout, false);
  }

  /**
   * The same, with the matrices of {@code w16} (bf16 copies of w's, or null: w's own) for the
   * four matmuls: a decode step with 16-bit weights.
   */
  void forward(int l, LayerWeights w, Bf16Weights.Layer w16, BlockActivations a, Slice input, Attention attention,
      int N, Dropout dropout) {
    forward(l, w, w16, a, input, attention, N, dropout, false);
  }

  /**
   * Whether a training step keeps GELU's slope in {@code fch} instead of GELU's input ({@link
   * Backend#keepsGeluSlope}): where the backend can, and where the backward pass does not
   * recompute GELU from that input.
   */
  static boolean keepsGeluSlope(Backend backend, Recompute recompute) {
    return recompute == Recompute.NONE && backend.keepsGeluSlope();
  }

  /**
   * The training forward pass: as {@link #forward(int, LayerWeights, BlockActivations, Slice,
   * Attention, int, Dropout)}, and where {@code keepGeluSlope} ({@link #keepsGeluSlope}) {@code
   * a.fch()} is left holding GELU's slope for {@link #backward}.
   */
  void forward(int l, LayerWeights w, BlockActivations a, Slice input, Attention attention, int N, Dropout dropout,
      boolean keepGeluSlope) {
    forward(l, w, null, a, input, attention, N, dropout, keepGeluSlope);
  }

  private void forward(int l, LayerWeights w, Bf16Weights.Layer w16, BlockActivations a, Slice input,
      Attention attention, int N, Dropout dropout, boolean keepGeluSlope) {
    // attention branch: residual2 = input + drop(c_proj(attention(c_attn(ln_1(input)))))
    qkvForward(w, w16, a, input, N);
    attention.forward(l, a);
    linear(a.attproj(), a.atty(), w.attnProjWeight(), w16 == null ? null : w16.attnProj(), w.attnProjBias(), N, C, C);
    Slice attnOut = a.attproj();
    if (dropout != null) {
      backend.dropoutForward(a.attprojDrop(), a.attproj(), dropout.scalars(), dropout.p(), dropout.seed(),
          Dropout.attnStream(l), N * C);
      attnOut = a.attprojDrop();
    }
    backend.residualForward(a.residual2(), input, attnOut, N * C);
    // MLP branch: residual3 = residual2 + drop(c_proj(gelu(c_fc(ln_2(residual2)))))
    backend.layernormForward(a.ln2(), a.ln2Mean(), a.ln2Rstd(), a.residual2(), w.ln2Weight(), w.ln2Bias(), N, C);
    if (keepGeluSlope) {
      // the same, fch left holding GELU'(fch), the backward pass's factor
      backend.matmulForwardGeluSlope(a.fch(), a.fchGelu(), a.ln2(), w.mlpFcWeight(), w.mlpFcBias(), N, C, 4 * C);
    } else if (w16 == null) {
      // GELU fused into the matmul: applied to each block of fch while it is in cache
      backend.matmulForwardGelu(a.fch(), a.fchGelu(), a.ln2(), w.mlpFcWeight(), w.mlpFcBias(), N, C, 4 * C);
    } else {
      linear(a.fch(), a.ln2(), w.mlpFcWeight(), w16.mlpFc(), w.mlpFcBias(), N, C, 4 * C);
      backend.geluForward(a.fchGelu(), a.fch(), N * 4 * C);
    }
    linear(a.fcproj(), a.fchGelu(), w.mlpProjWeight(), w16 == null ? null : w16.mlpProj(), w.mlpProjBias(), N, 4 * C,
        C);
    Slice mlpOut = a.fcproj();
    if (dropout != null) {
      backend.dropoutForward(a.fcprojDrop(), a.fcproj(), dropout.scalars(), dropout.p(), dropout.seed(),
          Dropout.mlpStream(l), N * C);
      mlpOut = a.fcprojDrop();
    }
    backend.residualForward(a.residual3(), a.residual2(), mlpOut, N * C);
  }

  /**
   * The block's first two ops: qkv (N, 3C) = c_attn(ln_1(input)). A prefill's last layer stops
   * here: it only needs that layer's k and v for the cache.
   */
  void qkvForward(LayerWeights w, BlockActivations a, Slice input, int N) {
    qkvForward(w, null, a, input, N);
  }

  private void qkvForward(LayerWeights w, Bf16Weights.Layer w16, BlockActivations a, Slice input, int N) {
    backend.layernormForward(a.ln1(), a.ln1Mean(), a.ln1Rstd(), input, w.ln1Weight(), w.ln1Bias(), N, C);
    linear(a.qkv(), a.ln1(), w.attnQkvWeight(), w16 == null ? null : w16.attnQkv(), w.attnQkvBias(), N, C, 3 * C);
  }

  // out (N,OC) = inp (N,IC) @ weight (OC,IC)^T + bias: from the bf16 copy weight16 when there is one
  private void linear(Slice out, Slice inp, Slice weight, IntBuf weight16, Slice bias, int N, int IC, int OC) {
    if (weight16 == null) {
      backend.matmulForward(out, inp, weight, bias, N, IC, OC);
    } else {
      backend.matmulForwardBf16(out, inp, weight16, bias, N, IC, OC);
    }
  }

  /**
   * Layer {@code l}'s backward pass: on entry {@code d.dresidual} (N, C) holds the gradient of the
   * block's output, on exit that of its {@code input}; the weights' gradients are ADDED into
   * {@code dw}. The residual adds need no op of their own: each layer-norm backward adds into
   * dresidual, which carries the gradient past the branch. d's other tensors (one layer's worth,
   * or three shared ones where {@link ActivationGrads#reused}) need no zeroing: each is written
   * whole by the op that produces it (dropout, matmul, GELU and attention backward write their
   * input gradients, the Backend contract) before anything reads it. Where {@code recompute} says
   * so, first re-runs the forward ops whose outputs the forward pass did not keep for this layer,
   * on the kept inputs: same code, same inputs, same bits. {@code geluSlopeKept}: the forward pass
   * kept GELU's slope in {@code a.fch()} ({@link #keepsGeluSlope}).
   */
  void backward(int l, LayerWeights w, LayerWeights dw, BlockActivations a, Slice input, ActivationGrads d,
      CausalAttention attention, int N, Dropout dropout, Recompute recompute, boolean geluSlopeKept) {
    Slice dres = d.dresidual;
    // dres = d residual3; the MLP branch
    if (recompute != Recompute.NONE) backend.geluForward(a.fchGelu(), a.fch(), N * 4 * C);
    Slice dmlpOut = dres;
    if (dropout != null) {
      backend.dropoutBackward(d.dfcproj, dres, dropout.scalars(), dropout.p(), dropout.seed(),
          Dropout.mlpStream(l), N * C);
      dmlpOut = d.dfcproj;
    }
    // dfch = GELU'(fch) * (dmlpOut @ W_proj), GELU's backward fused into the matmul's; dfchGelu is its
    // scratch (a fusing backend never writes it). Where layers share gradients, dfch is fchGelu's
    // own memory: the op reads fchGelu whole first (the Backend contract).
    if (geluSlopeKept) {
      backend.matmulBackwardGeluSlope(d.dfch, d.dfchGelu, dw.mlpProjWeight(), dw.mlpProjBias(), dmlpOut, a.fchGelu(),
          w.mlpProjWeight(), a.fch(), N, 4 * C, C);
    } else {
      backend.matmulBackwardGelu(d.dfch, d.dfchGelu, dw.mlpProjWeight(), dw.mlpProjBias(), dmlpOut, a.fchGelu(),
          w.mlpProjWeight(), a.fch(), N, 4 * C, C);
    }
    if (recompute != Recompute.NONE) {
      backend.layernormForward(a.ln2(), a.ln2Mean(), a.ln2Rstd(), a.residual2(), w.ln2Weight(), w.ln2Bias(), N, C);
    }
    backend.matmulBackward(d.dln2, dw.mlpFcWeight(), dw.mlpFcBias(), d.dfch, a.ln2(), w.mlpFcWeight(),
        N, C, 4 * C);
    backend.layernormBackward(dres, dw.ln2Weight(), dw.ln2Bias(), d.dln2, a.residual2(), w.ln2Weight(), a.ln2Mean(),
        a.ln2Rstd(), N, C);
    // dres = d residual2; the attention branch
    if (recompute == Recompute.ATTENTION_TOO) attention.forward(l, a);
    Slice dattnOut = dres;
    if (dropout != null) {
      backend.dropoutBackward(d.dattproj, dres, dropout.scalars(), dropout.p(), dropout.seed(),
          Dropout.attnStream(l), N * C);
      dattnOut = d.dattproj;
    }
    backend.matmulBackward(d.datty, dw.attnProjWeight(), dw.attnProjBias(), dattnOut, a.atty(),
        w.attnProjWeight(), N, C, C);
    attention.backward(d.dqkv, d.datty, a);
    if (recompute != Recompute.NONE) {
      backend.layernormForward(a.ln1(), a.ln1Mean(), a.ln1Rstd(), input, w.ln1Weight(), w.ln1Bias(), N, C);
    }
    backend.matmulBackward(d.dln1, dw.attnQkvWeight(), dw.attnQkvBias(), d.dqkv, a.ln1(),
        w.attnQkvWeight(), N, C, 3 * C);
    backend.layernormBackward(dres, dw.ln1Weight(), dw.ln1Bias(), d.dln1, input, w.ln1Weight(), a.ln1Mean(),
        a.ln1Rstd(), N, C);
    // dres = d input
  }
}
