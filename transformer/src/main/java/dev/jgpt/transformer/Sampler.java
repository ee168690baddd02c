package dev.jgpt.transformer;

import dev.jgpt.kernels.CounterRng;
import dev.jgpt.kernels.cpu.VectorMath;
import java.util.Arrays;
import java.util.Map;

/**
 * Draws the next token from a row of logits under {@link SamplerSettings}, and reports the
 * distribution before (the model's softmax) and after the sampler's filters.
 *
 * <p>Pipeline, in this order: logit bias and banned tokens; repetition / presence / frequency
 * penalties over the last {@code penaltyLastN} context tokens; temperature (0 = greedy: the
 * most likely token after bias and penalties, whose filtered distribution is all on it); top-k;
 * top-p on what top-k left; min-p; renormalise; one draw. The draw uses the counter-based RNG
 * keyed by (seed, draw number), so it depends on nothing but the settings and the logits.
 *
 * <p>Not thread-safe: it reuses work arrays of the vocabulary's size.
 */
public final class Sampler {
  /** The sampler's stream in {@link CounterRng} (dropout and data sampling use others). */
  public static final int RNG_STREAM = 0x53414d50; // "SAMP"

  private final int vocabSize;
  private final float[] adjusted; // (V) logits after bias, bans and penalties
  private final float[] probs; // (V) softmax of adjusted / temperature
  private final int[] counts; // (V) occurrences in the penalty window; all zero between calls
  private final long[] order; // (V) ids sorted most likely first, see sortByProbability

  /** A sampler for a vocabulary of {@code vocabSize} tokens (the unpadded size: padding is never drawn). */
  public Sampler(int vocabSize) {
    if (vocabSize <= 0) throw new IllegalArgumentException("vocabulary size must be positive, got " + vocabSize);
    this.vocabSize = vocabSize;
    this.adjusted = new float[vocabSize];
    this.probs = new float[vocabSize];
    this.counts = new int[vocabSize];
    this.order = new long[vocabSize];
  }

  public int vocabSize() {
    return vocabSize;
  }

  /**
   * Draws one token. logits (>= V): the model's output for the next position, of which the
   * first V are used; context[0 .. contextLength) the tokens so far (for the penalties);
   * drawIndex numbers the draws of a session so each gets fresh random bits.
   */
  public TokenProbabilities sample(float[] logits, SamplerSettings settings, int[] context, int contextLength,
      long drawIndex) {
    return draw(logits, settings, context, contextLength, drawIndex).probabilities();
  }

  /**
   * The same draw as {@link #sample}, with the probability tables left to be built only if the
   * caller asks for them (generation that prints only text never does).
   */
  public SampledToken draw(float[] logits, SamplerSettings settings, int[] context, int contextLength,
      long drawIndex) {
    float[] filtered = filter(logits, settings, context, contextLength);
    int chosen = draw(filtered, uniform(settings.seed(), drawIndex));
    return new SampledToken(chosen, logits, filtered, vocabSize);
  }

  /** The distributions without a draw (chosen is -1): what {@code :next} shows. */
  public TokenProbabilities distribution(float[] logits, SamplerSettings settings, int[] context, int contextLength) {
    return TokenProbabilities.of(logits, vocabSize, filter(logits, settings, context, contextLength), -1);
  }

  /** The distributions with {@code forcedId} as the chosen token (the REPL's {@code :pick}). */
  public TokenProbabilities force(float[] logits, SamplerSettings settings, int[] context, int contextLength,
      int forcedId) {
    if (forcedId < 0) throw new IllegalArgumentException("token id " + forcedId + " is negative");
    checkId(forcedId, "forced");
    return TokenProbabilities.of(logits, vocabSize, filter(logits, settings, context, contextLength), forcedId);
  }

  /** Uniform double in [0, 1) with 53 random bits for draw number {@code drawIndex} under {@code seed}. */
  private static double uniform(long seed, long drawIndex) {
    return (CounterRng.bits(CounterRng.key(seed, drawIndex, RNG_STREAM), 0) >>> 11) * 0x1.0p-53;
  }

  /** The inverse CDF walk over ids in ascending order; never returns a token of probability 0. */
  static int draw(float[] filtered, double u) {
    double total = 0;
    for (float p : filtered) total += p;
    double target = u * total;
    double cumulative = 0;
    int lastKept = -1;
    for (int i = 0; i < filtered.length; i++) {
      if (filtered[i] <= 0) continue;
      lastKept = i;
      cumulative += filtered[i];
      if (target < cumulative) return i;
    }
    return lastKept; // rounding left u*total at the very end
  }

  /** The distribution after bias, penalties, temperature and the filters, (V), summing to 1. */
  float[] filter(float[] logits, SamplerSettings s, int[] context, int contextLength) {
    if (logits.length < vocabSize)
      throw new IllegalArgumentException("logits has " + logits.length + " entries, vocabulary has " + vocabSize);
    float[] x = adjusted;
    for (int i = 0; i < vocabSize; i++) {
      if (!Float.isFinite(logits[i])) {
        throw new IllegalStateException("the model produced a non-finite logit (" + logits[i] + ") for token " + i
            + "; the checkpoint is probably broken: retrain or load another run");
      }
      x[i] = logits[i];
    }
    for (Map.Entry<Integer, Float> e : s.logitBias().entrySet()) {
      int id = checkId(e.getKey(), "logit bias");
      x[id] = finite((double) x[id] + e.getValue());
    }
    for (int id : s.bannedTokens()) x[checkId(id, "banned")] = Float.NEGATIVE_INFINITY;
    applyPenalties(x, s, context, contextLength);

    float[] out = new float[vocabSize];
    int best = argmax(x);
    if (best < 0) {
      throw new IllegalArgumentException("every token is banned or biased to -infinity: nothing left to sample");
    }
    if (s.greedy()) {
      out[best] = 1f;
      return out;
    }
    float scale = (float) Math.min(1.0 / s.temperature(), Float.MAX_VALUE);
    if (s.topK() == 0 && s.topP() >= 1 && s.minP() <= 0) {
      // no filter: the softmax is the distribution, with no second pass to renormalise what is kept
      softmax(x, x[best], scale, out);
      return out;
    }
    softmax(x, x[best], scale, probs);
    boolean[] kept = keepMask(probs, s, best);
    double keptMass = 0;
    for (int i = 0; i < vocabSize; i++) if (kept[i]) keptMass += probs[i];
    for (int i = 0; i < vocabSize; i++) out[i] = kept[i] ? (float) (probs[i] / keptMass) : 0f;
    return out;
  }

  /** {@code id} when it is a token of this vocabulary; a setting naming another id is a user error. */
  private int checkId(int id, String setting) {
    if (id >= vocabSize) {
      throw new IllegalArgumentException(setting + " token id " + id + " is not in the model's vocabulary 0.."
          + (vocabSize - 1) + "; look ids up with :tok or 'jgpt tokenizer encode'");
    }
    return id;
  }

  /** v as a float, a bias or penalty that overflows it held at the largest finite float (the softmax needs finite logits). */
  private static float finite(double v) {
    return (float) Math.max(-Float.MAX_VALUE, Math.min(Float.MAX_VALUE, v));
  }

  private void applyPenalties(float[] x, SamplerSettings s, int[] context, int contextLength) {
    boolean any = s.repetitionPenalty() != 1 || s.presencePenalty() != 0 || s.frequencyPenalty() != 0;
    if (!any || s.penaltyLastN() == 0 || contextLength == 0) return;
    int from = Math.max(0, contextLength - s.penaltyLastN());
    for (int t = from; t < contextLength; t++) {
      int id = context[t];
      if (id >= 0 && id < vocabSize) counts[id]++;
    }
    for (int t = from; t < contextLength; t++) {
      int id = context[t];
      if (id < 0 || id >= vocabSize || counts[id] == 0) continue;
      if (Float.isInfinite(x[id])) {
        counts[id] = 0;
        continue;
      }
      double r = s.repetitionPenalty();
      double v = x[id] > 0 ? x[id] / r : x[id] * r;
      x[id] = finite(v - (s.presencePenalty() + s.frequencyPenalty() * counts[id]));
      counts[id] = 0; // once per distinct token; also leaves counts zeroed for the next call
    }
  }

  /** Top-k, then top-p over what top-k left, then min-p; the most likely token always stays. */
  private boolean[] keepMask(float[] p, SamplerSettings s, int best) {
    boolean[] kept = new boolean[vocabSize];
    for (int i = 0; i < vocabSize; i++) kept[i] = p[i] > 0;
    if (s.topK() > 0 || s.topP() < 1) {
      int n = sortByProbability(p);
      if (s.topK() > 0) {
        for (int r = s.topK(); r < n; r++) kept[idOf(order[r])] = false;
        n = Math.min(n, s.topK());
      }
      if (s.topP() < 1) {
        double mass = 0;
        for (int r = 0; r < n; r++) mass += p[idOf(order[r])];
        double cumulative = 0;
        int r = 0;
        // Keep the shortest prefix whose share of the remaining mass reaches top-p.
        while (r < n && cumulative < s.topP() * mass) cumulative += p[idOf(order[r++])];
        for (; r < n; r++) kept[idOf(order[r])] = false;
      }
    }
    if (s.minP() > 0) {
      double threshold = s.minP() * p[best];
      for (int i = 0; i < vocabSize; i++) if (p[i] < threshold) kept[i] = false;
    }
    kept[best] = true;
    return kept;
  }

  /**
   * Fills {@link #order} with the ids of nonzero probability, most likely first (ties: lower id
   * first), and returns how many. Keys pack the inverted float bits above the id, so a primitive
   * sort does it without boxing.
   */
  private int sortByProbability(float[] p) {
    int n = 0;
    for (int i = 0; i < vocabSize; i++) {
      if (p[i] <= 0) continue;
      int bits = Float.floatToIntBits(p[i]); // p > 0: bit order is value order
      order[n++] = ((long) (Integer.MAX_VALUE - bits) << 32) | i;
    }
    Arrays.sort(order, 0, n);
    return n;
  }

  private static int idOf(long key) {
    return (int) key;
  }

  /** Index of the largest finite-or-positive-infinite entry; -1 when all are -infinity. */
  static int argmax(float[] x) {
    int best = -1;
    float bestValue = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < x.length; i++) {
      if (x[i] > bestValue) {
        bestValue = x[i];
        best = i;
      }
    }
    return best;
  }

  /**
   * out = softmax(x * scale), -infinity entries get 0; x finite or -infinity, max its largest entry
   * (finite), 0 < scale < infinity. In float, by the CPU kernels' vector exp (relative error about
   * 2e-7): with Math.exp in double it was half of a draw's time at GPT-2's vocabulary.
   */
  static void softmax(float[] x, float max, float scale, float[] out) {
    float sum = VectorMath.expShiftedSum(x, max, scale, out, x.length);
    for (int i = 0; i < x.length; i++) out[i] /= sum;
  }
}
