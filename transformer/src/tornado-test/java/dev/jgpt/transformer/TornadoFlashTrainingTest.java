package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import org.junit.jupiter.api.Test;

/**
 * The work-group kernel set (what GPUs run; on PoCL chosen with {@code -Djgpt.tornado.matmul=tiled})
 * trains without the (B, NH, T, T) attention weights: the flash forward keeps each row's max and
 * sum in the layer's att, which is 2*B*NH*T floats instead of B*NH*T*T, and the flash backward
 * recomputes the weights from them. The losses match the CPU backend's, which keeps the weights.
 */
class TornadoFlashTrainingTest {
  // T = 20: two query tiles of 16, the second ragged; hs = 8.
  static final int B = 2, T = 20, V = 32, NH = 2, C = 16, STEPS = 20;
  static final GptConfig CFG = GptConfig.of(V, T, 1, NH, C, true, 0f);
  /** TornadoParityTest's bound. */
  static final float MAX_LOSS_DIFFERENCE = 1e-6f;

  @Test
  void theFlashKernelsTrainWithoutTheAttentionWeightsAndMatchTheCpuBackend() {
    float[] cpuLosses, tornadoLosses;
    try (Backend cpu = Backends.open("cpu", 0, 2); Gpt gpt = new Gpt(CFG, cpu, B, T)) {
      assertEquals((long) B * NH * T * T, gpt.activationsAttLength(), "the CPU backend keeps the weights");
      cpuLosses = train(gpt);
    }
    System.setProperty("jgpt.tornado.matmul", "tiled");
    try (Backend dev = Backends.open("tornado", Integer.getInteger("jgpt.tornado.device", 0), 0);
        Gpt gpt = new Gpt(CFG, dev, B, T)) {
      assertFalse(dev.description().contains("loops"), "the work-group kernels: " + dev.description());
      long state = 2L * B * NH * T;
      assertEquals(state, dev.attentionStateSize(B, T, C, NH));
      assertEquals(state, gpt.activationsAttLength(), "each layer's att is the rows' stats");
      tornadoLosses = train(gpt);
      var e = assertThrows(IllegalStateException.class, () -> gpt.readAttention(0, 0, 3, new float[T], 0, T));
      assertTrue(e.getMessage().contains("keeps no attention weights"), e.getMessage());
    } finally {
      System.clearProperty("jgpt.tornado.matmul");
    }
    float worst = 0f;
    for (int s = 0; s < STEPS; s++) worst = Math.max(worst, Math.abs(cpuLosses[s] - tornadoLosses[s]));
    System.out.println("TornadoFlashTrainingTest: largest loss difference over " + STEPS + " steps without the"
        + " attention weights: " + worst + " (first loss " + cpuLosses[0] + ", last " + cpuLosses[STEPS - 1] + ")");
    assertTrue(cpuLosses[STEPS - 1] < cpuLosses[0] - 0.1f, "it trains: " + cpuLosses[0] + " -> " + cpuLosses[STEPS - 1]);
    assertTrue(worst <= MAX_LOSS_DIFFERENCE, "largest loss difference " + worst + " is above " + MAX_LOSS_DIFFERENCE);
  }

  private static float[] train(Gpt gpt) {
    gpt.initWeights(5);
    float[] losses = new float[STEPS];
    int[] inputs = GptTestSupport.randomTokens(21, 2, B * T, V);
    int[] targets = GptTestSupport.randomTokens(21, 3, B * T, V);
    for (int step = 1; step <= STEPS; step++) { // one batch over and over: the loss must fall
      gpt.zeroGrads();
      losses[step - 1] = gpt.forwardBackward(inputs, targets, 1f / (B * T), step);
      gpt.optimizerStep(1e-2f, step, 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
    }
    return losses;
  }
}
