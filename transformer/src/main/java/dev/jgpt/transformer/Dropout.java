package dev.jgpt.transformer;

import dev.jgpt.kernels.Slice;

/**
 * Training dropout (nanoGPT's: on the embeddings and on both residual branches of every block),
 * as the ops need it: the step scalars (which hold the RNG step), the probability and the seed.
 * Masks come from counter-based RNG streams: the embeddings' stream, then two per layer, so a
 * mask depends only on (seed, step, stream, element) and repeats bit for bit on a resumed run.
 *
 * @param scalars the step scalars (StepScalars.SIZE) with this step's RNG step
 * @param p the probability of dropping an element, 0 < p < 1
 * @param seed the run's dropout seed
 */
record Dropout(Slice scalars, float p, long seed) {
  /** The embeddings' stream. */
  static final int EMBEDDING_STREAM = 0;

  /** Stream of layer {@code l}'s attention branch (after attn.c_proj). */
  static int attnStream(int l) {
    return 1 + 2 * l;
  }

  /** Stream of layer {@code l}'s MLP branch (after mlp.c_proj). */
  static int mlpStream(int l) {
    return 2 + 2 * l;
  }
}
