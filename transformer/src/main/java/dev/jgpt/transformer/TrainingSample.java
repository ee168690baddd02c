package dev.jgpt.transformer;

import java.util.Arrays;
import java.util.function.Function;

/**
 * The short text a run prints at each evaluation: a prompt continued by temperature sampling
 * over {@link Gpt#lastLogits}, each token recomputed from scratch over the last block_size
 * tokens (no KV cache: a sample is a few hundred tokens, a small cost next to training).
 * Deterministic for a given step, so resumed runs print the same samples.
 */
public final class TrainingSample {
  private final Function<int[], String> decode;
  private final int[] prompt;
  private final SamplerSettings settings;

  /**
   * @param decode token ids to text (the run's tokenizer)
   * @param prompt the tokens the sample starts from (at least one)
   * @param temperature 0 for greedy
   */
  public TrainingSample(Function<int[], String> decode, int[] prompt, double temperature, long seed) {
    if (prompt.length == 0) throw new IllegalArgumentException("the sample prompt needs at least one token");
    this.decode = decode;
    this.prompt = prompt.clone();
    this.settings = SamplerSettings.defaults().withTemperature(temperature).withSeed(seed);
  }

  /** The prompt followed by {@code newTokens} sampled tokens, decoded. */
  public String sample(Gpt model, int newTokens, long step) {
    Sampler sampler = new Sampler(model.config().vocabSize());
    int[] context = Arrays.copyOf(prompt, prompt.length + newTokens);
    int n = prompt.length;
    for (int i = 0; i < newTokens; i++) {
      float[] logits = model.lastLogits(Arrays.copyOf(context, n));
      // draw, not sample: only the token is wanted, so the probability tables are never built
      context[n] = sampler.draw(logits, settings, context, n, step * 1_000_003L + i).chosen();
      n++;
    }
    return decode.apply(context);
  }
}
