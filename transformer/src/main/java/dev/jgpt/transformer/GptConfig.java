package dev.jgpt.transformer;

/**
 * Shape of a GPT-2 style model, with nanoGPT's names.
 *
 * @param vocabSize real vocabulary size V: token ids are 0 .. V-1
 * @param paddedVocabSize Vp >= V, the number of rows of wte and columns of the logits; the padded
 *     rows stay zero and the padded logits get no probability (padding only makes shapes round)
 * @param blockSize maximum context length (rows of wpe)
 * @param nLayer number of transformer blocks
 * @param nHead attention heads per block
 * @param nEmbd channels C of the residual stream; must be divisible by nHead
 * @param bias whether linear layers and layer norms have biases (GPT-2: true)
 * @param dropout dropout probability in training, 0 <= p < 1
 */
public record GptConfig(
    int vocabSize, int paddedVocabSize, int blockSize, int nLayer, int nHead, int nEmbd, boolean bias, float dropout) {

  /** The padded vocabulary is a multiple of this, so the head matmul has round shapes. */
  public static final int VOCAB_PADDING = 64;

  /** A config with the vocabulary padded up to a multiple of {@link #VOCAB_PADDING}. */
  public static GptConfig of(int vocabSize, int blockSize, int nLayer, int nHead, int nEmbd, boolean bias, float dropout) {
    return new GptConfig(vocabSize, padVocab(vocabSize), blockSize, nLayer, nHead, nEmbd, bias, dropout);
  }

  /** V rounded up to a multiple of {@link #VOCAB_PADDING} (V itself when it is not positive). */
  public static int padVocab(int vocabSize) {
    if (vocabSize <= 0) return vocabSize;
    long padded = ((long) vocabSize + VOCAB_PADDING - 1) / VOCAB_PADDING * VOCAB_PADDING;
    return (int) Math.min(padded, Integer.MAX_VALUE);
  }

  /** The same shape with or without biases (exporters write GPT-2's biases, zeros where a run has none). */
  public GptConfig withBias(boolean withBias) {
    return new GptConfig(vocabSize, paddedVocabSize, blockSize, nLayer, nHead, nEmbd, withBias, dropout);
  }

  /** Channels per attention head. */
  public int headSize() {
    return nEmbd / nHead;
  }

  /**
   * Checks that the shapes make a model; throws IllegalArgumentException with a one-line message
   * naming the setting to change. Returns this, for chaining.
   */
  public GptConfig validate() {
    requirePositive("vocab_size", vocabSize);
    requirePositive("block_size", blockSize);
    requirePositive("n_layer", nLayer);
    requirePositive("n_head", nHead);
    requirePositive("n_embd", nEmbd);
    if (paddedVocabSize < vocabSize) {
      throw new IllegalArgumentException(
          "padded vocab size " + paddedVocabSize + " is smaller than vocab_size " + vocabSize + ": use GptConfig.of to pad it");
    }
    if (nEmbd % nHead != 0) {
      throw new IllegalArgumentException(
          "n_embd (" + nEmbd + ") must be divisible by n_head (" + nHead + "): change --n-embd or --n-head");
    }
    if (!(dropout >= 0f && dropout < 1f)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
    long count = parameterCount();
    if (count > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "model has " + count + " parameters, more than the 2^31-1 one flat buffer holds: make it smaller");
    }
    return this;
  }

  /**
   * Number of floats in the parameter buffer: every weight and bias, the padded rows of wte
   * included (they stay zero), the tied head counted once.
   */
  public long parameterCount() {
    long c = nEmbd;
    long perLayer = 12 * c * c; // c_attn (3C,C) + attn.c_proj (C,C) + c_fc (4C,C) + mlp.c_proj (C,4C)
    perLayer += 2 * c; // ln_1.weight, ln_2.weight
    if (bias) perLayer += 2 * c + 3 * c + c + 4 * c + c; // ln_1/ln_2 biases, c_attn, attn.c_proj, c_fc, mlp.c_proj
    long total = (long) paddedVocabSize * c + (long) blockSize * c + nLayer * perLayer;
    total += bias ? 2 * c : c; // ln_f
    return total;
  }

  private static void requirePositive(String name, int value) {
    if (value <= 0) throw new IllegalArgumentException(name + " must be positive, got " + value);
  }
}
