package dev.jgpt.transformer;

/**
 * One draw of the sampler: the chosen token, and the model's and the sampler's distributions
 * built only when asked ({@link #probabilities}). Building them costs two more passes of exp
 * over the vocabulary (about as much as a small model's forward pass at GPT-2's 50,257 tokens),
 * which plain generation never looks at.
 */
public final class SampledToken {
  private final int chosen;
  private final float[] logits; // (V) a copy: the model reuses its logits buffer for the next position
  private final float[] filtered; // (V) the sampler's distribution after its filters
  private final int vocabSize;
  private TokenProbabilities probabilities; // built on first use

  SampledToken(int chosen, float[] logits, float[] filtered, int vocabSize) {
    this.chosen = chosen;
    this.logits = java.util.Arrays.copyOf(logits, vocabSize);
    this.filtered = filtered;
    this.vocabSize = vocabSize;
  }

  /** The drawn token id. */
  public int chosen() {
    return chosen;
  }

  /** The model's and the sampler's distributions at this position, with the draw marked. */
  public TokenProbabilities probabilities() {
    if (probabilities == null) probabilities = TokenProbabilities.of(logits, vocabSize, filtered, chosen);
    return probabilities;
  }
}
