package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.CounterRng;
import dev.jgpt.kernels.ReferenceBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole backward pass against central finite differences of the loss, on the reference
 * backend and a tiny model with weights large enough that every path carries signal. For a sample
 * of every tensor's elements (its largest gradients and some random ones) the analytic gradient
 * of the summed loss matches (L(w+h) - L(w-h)) / 2h. Covers biases, no biases, and dropout (the
 * training loss with a fixed RNG step is a deterministic function of the weights).
 */
class GptGradientCheckTest {
  static final int B = 2, T = 5;
  static final float H = 1e-2f;
  static final long SEED = 7;

  @Test
  void withBiases() {
    check(GptConfig.of(20, 6, 2, 2, 8, true, 0f), false);
  }

  @Test
  void withoutBiases() {
    check(GptConfig.of(20, 6, 2, 2, 8, false, 0f), false);
  }

  @Test
  void withDropoutInTraining() {
    check(GptConfig.of(20, 6, 2, 2, 8, true, 0.25f), true);
  }

  private void check(GptConfig cfg, boolean training) {
    int N = B * T;
    int[] inputs = GptTestSupport.randomTokens(SEED, 1, N, cfg.vocabSize());
    int[] targets = GptTestSupport.randomTokens(SEED, 2, N, cfg.vocabSize());
    try (Gpt gpt = new Gpt(cfg, new ReferenceBackend(), B, T)) {
      float[] params = largeRandomParameters(gpt.layout(), SEED);
      gpt.writeParams(params);
      gpt.zeroGrads();
      gpt.forwardBackward(inputs, targets, 1f, 3); // dlossScale 1: gradients of the summed loss
      float[] grads = gpt.readGrads();

      List<String> failures = new ArrayList<>();
      int checked = 0;
      for (TensorSpec t : gpt.layout().tensors()) {
        float scale = maxAbs(grads, t);
        for (int i : sample(grads, t, cfg)) {
          float saved = params[i];
          params[i] = saved + H;
          double plus = summedLoss(gpt, params, inputs, targets, training);
          params[i] = saved - H;
          double minus = summedLoss(gpt, params, inputs, targets, training);
          params[i] = saved;
          double numeric = (plus - minus) / (2 * H);
          double error = Math.abs(numeric - grads[i]);
          if (error > 2e-3 * scale + 5e-4) {
            failures.add(t.name() + "[" + (i - t.offset()) + "]: analytic " + grads[i] + ", numeric " + numeric);
          }
          checked++;
        }
      }
      assertTrue(failures.isEmpty(), failures.size() + " of " + checked + " gradients differ:\n" + String.join("\n", failures));
    }
  }

  private static double summedLoss(Gpt gpt, float[] params, int[] inputs, int[] targets, boolean training) {
    gpt.writeParams(params);
    float mean = training ? gpt.forwardBackward(inputs, targets, 1f, 3) : gpt.evalLoss(inputs, targets);
    return (double) mean * inputs.length;
  }

  /** Buffer indices to check in tensor t: its three largest gradients and three random elements. */
  private static List<Integer> sample(float[] grads, TensorSpec t, GptConfig cfg) {
    int size = t.name().equals("wte") ? cfg.vocabSize() * cfg.nEmbd() : t.size(); // padded rows get no gradient
    List<Integer> picks = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      int best = -1;
      for (int i = t.offset(); i < t.offset() + size; i++) {
        if (!picks.contains(i) && (best < 0 || Math.abs(grads[i]) > Math.abs(grads[best]))) best = i;
      }
      picks.add(best);
    }
    long key = CounterRng.key(SEED, 1, t.offset());
    for (int k = 0; k < 3; k++) picks.add(t.offset() + CounterRng.nextInt(key, k, size));
    return picks;
  }

  private static float maxAbs(float[] v, TensorSpec t) {
    float m = 0;
    for (int i = t.offset(); i < t.end(); i++) m = Math.max(m, Math.abs(v[i]));
    return m;
  }

  /** Weights of scale 0.3 (layer-norm weights 1 +- 0.1), the padded rows of wte zero. */
  static float[] largeRandomParameters(ParameterLayout layout, long seed) {
    GptConfig cfg = layout.config();
    float[] p = new float[layout.totalCount()];
    long key = CounterRng.key(seed, 0, 99);
    for (int i = 0; i < p.length; i++) p[i] = 0.3f * CounterRng.normal(key, i);
    for (TensorSpec t : layout.tensors()) {
      if (t.name().contains("ln_") && t.name().endsWith(".weight")) {
        for (int i = t.offset(); i < t.end(); i++) p[i] = 1f + p[i] / 3;
      }
    }
    TensorSpec wte = layout.get("wte");
    for (int i = wte.offset() + cfg.vocabSize() * cfg.nEmbd(); i < wte.end(); i++) p[i] = 0f;
    return p;
  }
}
