package dev.jgpt.transformer;

/**
 * Which of a block's activations the training forward pass keeps per layer and which the
 * backward pass recomputes, trading a little time for memory. Recomputing runs the same op on the
 * same kept inputs, so the recomputed tensor has the same bits and gradients do not change.
 *
 * <ul>
 *   <li>{@link #NONE}: every tensor the backward pass reads kept per layer (20 (N, C) tensors a
 *       layer with dropout at T = 256, C = 64 * NH); the projections' outputs and their dropout
 *       copies, which only form the residual, are one tensor each that all layers write.
 *   <li>{@link #NORMS_AND_GELU}: ln_1, ln_2 (from the layer's input and the kept mean and rstd)
 *       and gelu(fch) are recomputed; they, and the projections' outputs and their dropout copies
 *       (only needed to form the residual), live in the activation gradients' memory, which a
 *       layer's eight gradients share as three tensors ({@link ActivationGrads}). Keeps qkv, att,
 *       atty, residual2, fch and residual3: 14 (N, C) a layer at T = 256, C = 64 * NH.
 *   <li>{@link #ATTENTION_TOO}: also att (B, NH, T, T, or the backend's smaller attention state)
 *       and atty, recomputed by re-running the
 *       layer's attention forward in the backward pass (one attention forward a layer): 9 (N, C) a
 *       layer.
 * </ul>
 */
enum Recompute {
  NONE,
  NORMS_AND_GELU,
  ATTENTION_TOO;

  /** The name of the activations' part of a memory estimate: says what a run recomputes. */
  String activationsPart() {
    return switch (this) {
      case NONE -> "activations";
      case NORMS_AND_GELU -> "activations (norms, GELU recomputed)";
      case ATTENTION_TOO -> "activations (norms, GELU, attention recomputed)";
    };
  }

  /**
   * Activations up to this size are all kept: at that size memory is not what limits a run, and
   * recomputing would only cost time (the small CPU recipes stay as fast as they were).
   */
  static final long KEEP_BYTES = 1L << 30;

  /**
   * Re-running every layer's attention forward in the backward pass is worth it only when it
   * saves at least this share of the memory {@link #NORMS_AND_GELU} keeps: with the (B, NH, T, T)
   * weights it saves a third or more; with a backend's small attention state (TornadoVM's flash
   * kernels keep two floats a row) only atty, about one (N, C) tensor in fourteen.
   */
  static final double ATTENTION_RECOMPUTE_MIN_SAVING = 0.25;

  /**
   * The rule for a training model: {@link #NONE} when all activations of a (B, T) batch fit in
   * {@link #KEEP_BYTES}; else {@link #NORMS_AND_GELU} when that brings them under it; else
   * {@link #ATTENTION_TOO} when that saves at least {@link #ATTENTION_RECOMPUTE_MIN_SAVING} of
   * the memory, and {@link #NORMS_AND_GELU} otherwise.
   */
  static Recompute forTraining(GptConfig cfg, int B, int T) {
    return forTraining(cfg, B, T, Activations.attentionWeights(cfg, B, T));
  }

  /** As {@link #forTraining(GptConfig, int, int)} where each layer's att holds attLength floats (the backend's attention state). */
  static Recompute forTraining(GptConfig cfg, int B, int T, long attLength) {
    if (Activations.floatCount(cfg, B, T, NONE, attLength) * Float.BYTES <= KEEP_BYTES) return NONE;
    long norms = Activations.floatCount(cfg, B, T, NORMS_AND_GELU, attLength);
    if (norms * Float.BYTES <= KEEP_BYTES) return NORMS_AND_GELU;
    long attention = Activations.floatCount(cfg, B, T, ATTENTION_TOO, attLength);
    return norms - attention >= ATTENTION_RECOMPUTE_MIN_SAVING * norms ? ATTENTION_TOO : NORMS_AND_GELU;
  }
}
