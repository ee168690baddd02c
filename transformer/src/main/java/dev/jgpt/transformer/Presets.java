package dev.jgpt.transformer;

import static dev.jgpt.transformer.TrainConfigKey.*;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named starting points for {@code jgpt train --preset NAME}: each is a set of overrides on
 * {@link TrainConfig#defaults()}; a config file and flags override the preset in turn.
 */
public final class Presets {
  private Presets() {}

  /** The preset {@code jgpt train} uses when none is named. */
  public static final String DEFAULT = "default";

  private static final Map<String, Preset> PRESETS = new LinkedHashMap<>();

  /** A preset: its name, one line on what it is for, and its overrides. */
  public record Preset(String name, String description, Map<TrainConfigKey, Object> overrides) {}

  private static void add(String name, String description, Object... keyValues) {
    Map<TrainConfigKey, Object> o = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) o.put((TrainConfigKey) keyValues[i], keyValues[i + 1]);
    PRESETS.put(name, new Preset(name, description, Map.copyOf(o)));
  }

  static {
    add("tiny", "a few seconds: for tests and trying the commands",
        VOCAB_SIZE, 256, BLOCK_SIZE, 16, N_LAYER, 1, N_HEAD, 2, N_EMBD, 16, BATCH_SIZE, 4,
        MAX_ITERS, 20, WARMUP_ITERS, 2, EVAL_INTERVAL, 10, EVAL_ITERS, 2, LOG_INTERVAL, 5,
        SAMPLE_TOKENS, 16, LEARNING_RATE, 3e-3, MIN_LR, 3e-4);
    add(DEFAULT, "a few minutes on 2 cores, readable samples: byte-level, 4 layers x 128, context 128",
        VOCAB_SIZE, 256, BLOCK_SIZE, 128, N_LAYER, 4, N_HEAD, 4, N_EMBD, 128, BATCH_SIZE, 8,
        MAX_ITERS, 3000, WARMUP_ITERS, 100, EVAL_INTERVAL, 500, EVAL_ITERS, 10, LOG_INTERVAL, 20,
        LEARNING_RATE, 2e-3, MIN_LR, 2e-4, BETA2, 0.99, SAMPLE_TOKENS, 200);
    add("nanogpt-cpu", "nanoGPT's CPU recipe for shakespeare_char (README), byte-level",
        CORPUS, "shakespeare", VOCAB_SIZE, 256, BLOCK_SIZE, 64, N_LAYER, 4, N_HEAD, 4, N_EMBD, 128,
        BATCH_SIZE, 12, MAX_ITERS, 2000, LR_DECAY_ITERS, 2000, LEARNING_RATE, 1e-3, MIN_LR, 1e-4,
        WARMUP_ITERS, 100, BETA2, 0.99, DROPOUT, 0.0, EVAL_INTERVAL, 250, EVAL_ITERS, 20, LOG_INTERVAL, 10);
    add("fast-cpu", "jgpt's quickest route to the nanogpt-cpu loss on 2 cores: 2 layers, batch 32, higher lr, 600 steps",
        CORPUS, "shakespeare", VOCAB_SIZE, 256, BLOCK_SIZE, 64, N_LAYER, 2, N_HEAD, 4, N_EMBD, 128,
        BATCH_SIZE, 32, MAX_ITERS, 600, LR_DECAY_ITERS, 600, LEARNING_RATE, 4.5e-3, MIN_LR, 4.5e-4,
        WARMUP_ITERS, 30, BETA2, 0.99, DROPOUT, 0.0, EVAL_INTERVAL, 100, EVAL_ITERS, 20, LOG_INTERVAL, 10);
    add("baby-gpt", "nanoGPT's config/train_shakespeare_char.py: 6 layers x 384, context 256, dropout 0.2",
        CORPUS, "shakespeare", VOCAB_SIZE, 256, BLOCK_SIZE, 256, N_LAYER, 6, N_HEAD, 6, N_EMBD, 384,
        BATCH_SIZE, 64, MAX_ITERS, 5000, LR_DECAY_ITERS, 5000, LEARNING_RATE, 1e-3, MIN_LR, 1e-4,
        WARMUP_ITERS, 100, BETA2, 0.99, DROPOUT, 0.2, EVAL_INTERVAL, 250, EVAL_ITERS, 200, LOG_INTERVAL, 10);
    // nanoGPT's config/finetune_shakespeare.py (GPT-2 from OpenAI's weights, a small constant
    // learning rate) cut to a laptop: batch 4 x 256 tokens instead of 32 x 1024, no accumulation
    add("finetune", "fine-tune a model given with --init-from (e.g. GPT-2 124M) on your text: "
            + "batch 4 x 256, constant learning rate 3e-5",
        CORPUS, "shakespeare", BLOCK_SIZE, 256, BATCH_SIZE, 4, MAX_ITERS, 100, LR_SCHEDULE, "constant",
        LEARNING_RATE, 3e-5, MIN_LR, 3e-5, WARMUP_ITERS, 0, WEIGHT_DECAY, 0.0, DROPOUT, 0.0, EVAL_INTERVAL, 25,
        EVAL_ITERS, 10, LOG_INTERVAL, 1, SAMPLE_TOKENS, 64);
  }

  /** The preset's configuration on top of the defaults. */
  public static TrainConfig get(String name) {
    Preset p = PRESETS.get(name);
    if (p == null) {
      throw new IllegalArgumentException("unknown preset '" + name + "'; use one of " + String.join(", ", PRESETS.keySet()));
    }
    return TrainConfig.defaults().withAll(p.overrides());
  }

  /** All presets in the order {@code --help} lists them. */
  public static Iterable<Preset> all() {
    return PRESETS.values();
  }

  public static String names() {
    return String.join(", ", PRESETS.keySet());
  }
}
