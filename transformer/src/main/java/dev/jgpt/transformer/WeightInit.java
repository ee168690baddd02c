package dev.jgpt.transformer;

import dev.jgpt.kernels.CounterRng;

/**
 * GPT-2 / nanoGPT initial weights, drawn with the counter-based RNG so that every backend, thread
 * count and machine starts from the same floats: 2-D weights N(0, 0.02), the residual projections
 * (attn.c_proj and mlp.c_proj) N(0, 0.02 / sqrt(2 n_layer)), biases 0, layer-norm weights 1. The
 * padded rows of wte stay 0, so the padded logits are 0 and get no gradient.
 */
public final class WeightInit {
  private WeightInit() {}

  /** Standard deviation of the 2-D weights. */
  public static final float STD = 0.02f;

  /** The full parameter buffer for {@code layout}; tensor i draws from RNG stream i of (seed, step 0). */
  public static float[] initialParameters(ParameterLayout layout, long seed) {
    GptConfig cfg = layout.config();
    float[] params = new float[layout.totalCount()];
    float residualStd = (float) (STD / Math.sqrt(2.0 * cfg.nLayer()));
    int stream = 0;
    for (TensorSpec t : layout.tensors()) {
      String name = t.name();
      if (name.endsWith(".bias")) {
        // stays 0
      } else if (name.startsWith("ln_") || name.contains(".ln_")) {
        java.util.Arrays.fill(params, t.offset(), t.end(), 1f);
      } else {
        float std = name.endsWith("c_proj.weight") ? residualStd : STD;
        // wte: only the real vocabulary's rows; the padding rows stay 0
        int count = name.equals("wte") ? cfg.vocabSize() * cfg.nEmbd() : t.size();
        long key = CounterRng.key(seed, 0, stream);
        for (int i = 0; i < count; i++) params[t.offset() + i] = std * CounterRng.normal(key, i);
      }
      stream++;
    }
    return params;
  }
}
