package dev.jgpt.transformer;

import java.util.ArrayList;
import java.util.List;

/**
 * The next-token distribution at one position, twice: {@code raw} is the model's softmax of the
 * logits; {@code filtered} is what the sampler drew from after bias, penalties, temperature and
 * the top-k / top-p / min-p filters. Also which token was chosen (-1 when none was drawn).
 */
public final class TokenProbabilities {
  private static final double LN2 = Math.log(2);

  private final float[] rawLogprobs; // (V) log softmax of the logits, in nats
  private final float[] raw; // (V) softmax of the logits
  private final float[] filtered; // (V) the distribution the draw used; sums to 1
  private final int chosen;

  private TokenProbabilities(float[] rawLogprobs, float[] raw, float[] filtered, int chosen) {
    this.rawLogprobs = rawLogprobs;
    this.raw = raw;
    this.filtered = filtered;
    this.chosen = chosen;
  }

  /** From the model's logits (first V used) and the sampler's filtered distribution (V). */
  public static TokenProbabilities of(float[] logits, int vocabSize, float[] filtered, int chosen) {
    if (filtered.length != vocabSize)
      throw new IllegalArgumentException("filtered distribution has " + filtered.length + " entries, vocabulary " + vocabSize);
    float[] logprobs = logSoftmax(logits, vocabSize);
    return new TokenProbabilities(logprobs, exp(logprobs), filtered, chosen);
  }

  /** The model's distribution alone, with no sampler (the filtered one is the same); {@code chosen} may be -1. */
  public static TokenProbabilities ofModel(float[] logits, int vocabSize, int chosen) {
    float[] logprobs = logSoftmax(logits, vocabSize);
    float[] probs = exp(logprobs);
    TokenProbabilities model = new TokenProbabilities(logprobs, probs, probs, -1);
    return chosen < 0 ? model : model.withChosen(chosen);
  }

  /** log softmax of logits[0 .. V), in nats, computed in double (V). */
  private static float[] logSoftmax(float[] logits, int vocabSize) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocabSize; i++) max = Math.max(max, logits[i]);
    double sum = 0;
    for (int i = 0; i < vocabSize; i++) sum += Math.exp(logits[i] - max);
    double logZ = max + Math.log(sum);
    float[] logprobs = new float[vocabSize];
    for (int i = 0; i < vocabSize; i++) logprobs[i] = (float) (logits[i] - logZ);
    return logprobs;
  }

  private static float[] exp(float[] logprobs) {
    float[] probs = new float[logprobs.length];
    for (int i = 0; i < probs.length; i++) probs[i] = (float) Math.exp(logprobs[i]);
    return probs;
  }

  /** The same distributions with another token marked as chosen. */
  public TokenProbabilities withChosen(int id) {
    checkId(id);
    return new TokenProbabilities(rawLogprobs, raw, filtered, id);
  }

  public int vocabSize() {
    return raw.length;
  }

  /** The drawn (or forced) token, -1 when this is a distribution only. */
  public int chosen() {
    return chosen;
  }

  /** The model's probability of {@code id}. */
  public float raw(int id) {
    return raw[checkId(id)];
  }

  /** The model's log-probability of {@code id}, in nats. */
  public float rawLogprob(int id) {
    return rawLogprobs[checkId(id)];
  }

  /** The probability the sampler gave {@code id} (0 when a filter removed it). */
  public float filtered(int id) {
    return filtered[checkId(id)];
  }

  /** 1 for the model's most likely token; ties go to the lower id. */
  public int rawRank(int id) {
    checkId(id);
    int rank = 1;
    for (int i = 0; i < raw.length; i++) {
      if (rawLogprobs[i] > rawLogprobs[id] || (rawLogprobs[i] == rawLogprobs[id] && i < id)) rank++;
    }
    return rank;
  }

  /** Entropy of the model's distribution in bits. */
  public double rawEntropyBits() {
    double h = 0;
    for (int i = 0; i < raw.length; i++) if (raw[i] > 0) h -= raw[i] * (double) rawLogprobs[i];
    return h / LN2;
  }

  /** Entropy of the sampler's distribution in bits (0 for greedy). */
  public double filteredEntropyBits() {
    double h = 0;
    for (float p : filtered) if (p > 0) h -= p * Math.log(p);
    return h / LN2;
  }

  /** How many tokens the filters left with a nonzero probability. */
  public int keptCount() {
    int n = 0;
    for (float p : filtered) if (p > 0) n++;
    return n;
  }

  /** One token of a top-k list: its rank in the model's distribution and both probabilities. */
  public record Candidate(int rank, int id, float raw, float rawLogprob, float filtered) {}

  /** The {@code k} most likely tokens under the model, most likely first. */
  public List<Candidate> top(int k) {
    int n = Math.min(k, raw.length);
    if (n <= 0) return List.of();
    int[] best = new int[n];
    int filled = 0;
    // Insertion into a short sorted list: k is small (a screenful), V may be 50k.
    for (int i = 0; i < raw.length; i++) {
      if (filled == n && !(rawLogprobs[i] > rawLogprobs[best[n - 1]])) continue;
      int j = filled < n ? filled++ : n - 1;
      while (j > 0 && rawLogprobs[best[j - 1]] < rawLogprobs[i]) {
        best[j] = best[j - 1];
        j--;
      }
      best[j] = i;
    }
    List<Candidate> out = new ArrayList<>(filled);
    for (int r = 0; r < filled; r++) {
      int id = best[r];
      out.add(new Candidate(r + 1, id, raw[id], rawLogprobs[id], filtered[id]));
    }
    return out;
  }

  /** The sampler's distribution as a copy (V). */
  public float[] filteredProbabilities() {
    return filtered.clone();
  }

  private int checkId(int id) {
    if (id < 0 || id >= raw.length)
      throw new IllegalArgumentException("token id " + id + " is outside the vocabulary 0.." + (raw.length - 1));
    return id;
  }
}
