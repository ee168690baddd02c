package dev.jgpt.transformer;

import java.util.Locale;

/**
 * Learning rate per iteration: linear warmup, then a decay to {@code minLr} by
 * {@code decayIters}, then {@code minLr}. The cosine shape and the warmup formula follow nanoGPT's
 * {@code get_lr}, so a run with the same settings sees the same learning rates (warmup starts at
 * {@code lr/(warmup+1)}, never 0, so the first step already moves the weights).
 *
 * @param kind cosine, linear or constant decay after warmup
 * @param maxLr peak learning rate, reached at the end of warmup
 * @param minLr floor after decay (ignored by {@link Kind#CONSTANT})
 * @param warmupIters iterations of linear warmup (0 = none)
 * @param decayIters iteration at which the decay reaches {@code minLr}
 */
public record LrSchedule(Kind kind, double maxLr, double minLr, int warmupIters, int decayIters) {

  /** The shape of the decay after warmup. */
  public enum Kind {
    COSINE, LINEAR, CONSTANT;

    /** "cosine", "linear", "constant". */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a schedule name; the error lists the valid ones. */
    public static Kind parse(String name) {
      for (Kind k : values()) if (k.key().equalsIgnoreCase(name.strip())) return k;
      throw new IllegalArgumentException(
          "unknown learning rate schedule '" + name + "'; use one of cosine, linear, constant");
    }
  }

  public LrSchedule {
    if (kind == null) throw new IllegalArgumentException("learning rate schedule kind is missing");
    if (!(maxLr > 0) || !Double.isFinite(maxLr))
      throw new IllegalArgumentException("learning_rate must be a positive number, got " + maxLr);
    if (!(minLr >= 0) || minLr > maxLr)
      throw new IllegalArgumentException("min_lr must be between 0 and learning_rate (" + maxLr + "), got " + minLr);
    if (warmupIters < 0) throw new IllegalArgumentException("warmup_iters must be >= 0, got " + warmupIters);
    if (kind != Kind.CONSTANT && decayIters <= warmupIters)
      throw new IllegalArgumentException("lr_decay_iters (" + decayIters + ") must be larger than warmup_iters ("
          + warmupIters + ") for a " + kind.key() + " schedule; raise it or use --lr-schedule constant");
  }

  /** Learning rate of iteration {@code it} (0-based, the step about to be taken). */
  public double lr(long it) {
    if (it < warmupIters) return maxLr * (it + 1) / (warmupIters + 1);
    if (kind == Kind.CONSTANT) return maxLr;
    if (it > decayIters) return minLr;
    // decay ratio runs 0 -> 1 from the end of warmup to decayIters
    double ratio = (double) (it - warmupIters) / (decayIters - warmupIters);
    double coeff = kind == Kind.COSINE ? 0.5 * (1.0 + Math.cos(Math.PI * ratio)) : 1.0 - ratio;
    return minLr + coeff * (maxLr - minLr);
  }
}
