package dev.jgpt.transformer;

/**
 * The one part of a {@link Block} that differs between training, prefill and decode: where the
 * keys and values come from. Every variant reads q, k, v from {@code a.qkv()} (N, 3C) and writes
 * the attention output to {@code a.atty()} (N, C) and its weights (or, in training, the backend's
 * attention state: Backend#attentionForward) to {@code a.att()}.
 */
sealed interface Attention permits CausalAttention, PrefillAttention, CachedAttention {
  /** Layer {@code layer}'s attention over the rows of {@code a}. */
  void forward(int layer, BlockActivations a);
}
