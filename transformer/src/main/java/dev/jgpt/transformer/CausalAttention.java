package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Slice;

/**
 * Causal self-attention over whole sequences: b sequences of T rows each attend to their own
 * earlier rows (training, evaluation, inspection). The only variant with a backward pass.
 *
 * @param b sequences; N = b*T rows
 * @param T rows of each sequence
 */
record CausalAttention(Backend backend, int b, int T, int C, int NH) implements Attention {
  @Override
  public void forward(int layer, BlockActivations a) {
    // atty (b, T, C), att (b, NH, T, T) <- qkv (b, T, 3C)
    backend.attentionForward(a.atty(), a.att(), a.qkv(), b, T, C, NH);
  }

  /**
   * dqkv (b, T, 3C) = the gradient through the attention (written, not added to), from datty
   * (b, T, C) and the forward's qkv and att.
   */
  void backward(Slice dqkv, Slice datty, BlockActivations a) {
    backend.attentionBackward(dqkv, datty, a.qkv(), a.att(), b, T, C, NH);
  }
}
