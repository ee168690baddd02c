package dev.jgpt.transformer;

import dev.jgpt.kernels.CounterRng;
import java.util.Arrays;

/** Weights for tests that compare two computations of the same model (shared by the model and inspect tests). */
public final class TestWeights {
  private TestWeights() {}

  /**
   * Weights far from init (std 0.3, layer norms around 1): a wrong op changes the logits
   * visibly, attention is far from uniform and the layers differ. wte's padded rows stay zero,
   * as training leaves them.
   */
  public static float[] farFromInit(GptConfig cfg, long seed) {
    ParameterLayout layout = new ParameterLayout(cfg);
    float[] w = new float[layout.totalCount()];
    long key = CounterRng.key(seed, 0, 7);
    for (int i = 0; i < w.length; i++) w[i] = 0.3f * CounterRng.normal(key, i);
    for (TensorSpec t : layout.tensors()) {
      if (t.name().contains("ln_") && t.name().endsWith(".weight")) {
        for (int i = t.offset(); i < t.end(); i++) w[i] += 1f;
      }
    }
    TensorSpec wte = layout.get("wte");
    Arrays.fill(w, wte.offset() + cfg.vocabSize() * cfg.nEmbd(), wte.end(), 0f);
    return w;
  }
}
