package dev.jgpt.kernels;

/**
 * Slot indices of the small per-step scalar buffer (a {@link FloatBuf} of {@link #SIZE} floats).
 *
 * <p>Values that change from step to step live here rather than in kernel arguments, so a
 * captured step (see {@link Backend#beginStep}) can be replayed unchanged: the host writes the
 * learning rate and step number before each step; {@link Backend#globalNormSquared} writes the
 * gradient norm on the device and {@link Backend#adamw} derives the clip factor from it.
 */
public final class StepScalars {
  private StepScalars() {}

  /** Learning rate of this step (after warmup/decay). */
  public static final int LR = 0;
  /** Adam step number t, starting at 1 (as a float; exact up to 2^24 steps). */
  public static final int ADAM_T = 1;
  /** Sum of squares of all gradients, written by {@link Backend#globalNormSquared}. */
  public static final int GRAD_NORM_SQ = 2;
  /** Global-norm clipping threshold; 0 or less disables clipping. */
  public static final int MAX_GRAD_NORM = 3;
  /** Dropout / sampling step counter for counter-based RNG (as a float; exact up to 2^24). */
  public static final int RNG_STEP = 4;
  /** Number of slots; the buffer may be larger. */
  public static final int SIZE = 8;
}
