package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * The fast CPU backend trains the model like the reference backend: the same initial weights,
 * batches and dropout masks give the same losses, gradient norms and evaluation loss within float
 * tolerance (the backends sum in different orders). The cpu backend must be registered: if its
 * provider went missing this fails rather than shrinking to a reference-only test.
 */
class GptBackendParityTest {
  static final int B = 4, T = 16, V = 70, STEPS = 5;

  @Test
  void cpuBackendTrainsLikeTheReference() {
    assertTrue(GptTestSupport.cpuBackends().contains("cpu"),
        "the cpu backend is not registered (META-INF/services/dev.jgpt.kernels.BackendProvider)");
    GptConfig cfg = GptConfig.of(V, T, 2, 4, 32, true, 0.1f);
    float[][] reference = train(cfg, new ReferenceBackend());
    float[][] cpu = train(cfg, GptTestSupport.open("cpu"));
    for (int step = 0; step < STEPS; step++) {
      assertEquals(reference[0][step], cpu[0][step], 1e-4f * reference[0][step], "loss at step " + (step + 1));
      assertEquals(reference[1][step], cpu[1][step], 1e-4f * reference[1][step], "grad norm at step " + (step + 1));
    }
    assertEquals(reference[2][0], cpu[2][0], 1e-4f * reference[2][0], "eval loss after training");
  }

  /** {losses per step, gradient norms per step, {eval loss}}. */
  private static float[][] train(GptConfig cfg, Backend backend) {
    float[][] out = {new float[STEPS], new float[STEPS], new float[1]};
    try (backend; Gpt gpt = new Gpt(cfg, backend, B, T)) {
      gpt.initWeights(42);
      for (int step = 1; step <= STEPS; step++) {
        int[] x = GptTestSupport.randomTokens(step, 0, B * T, V);
        int[] y = GptTestSupport.randomTokens(step, 1, B * T, V);
        gpt.zeroGrads();
        out[0][step - 1] = gpt.forwardBackward(x, y, 1f / (B * T), step);
        out[1][step - 1] = gpt.optimizerStep(1e-2f, step, 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
      }
      int[] x = GptTestSupport.randomTokens(99, 0, B * T, V);
      out[2][0] = gpt.evalLoss(x, x);
    }
    return out;
  }
}
