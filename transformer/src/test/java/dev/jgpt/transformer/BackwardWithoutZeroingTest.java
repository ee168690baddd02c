package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.FloatBuf;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The backward pass zeroes no activation gradient but the residual stream's: every other one is
 * written whole by the op that produces it (the Backend contract) before anything reads it. So a
 * training step over activation gradients full of NaN gives the same gradients, bit for bit, as
 * one over clean memory, at every recompute level (whose layouts share the gradients' memory
 * between tensors and with the forward pass) and with dropout.
 */
class BackwardWithoutZeroingTest {
  static List<String> backends() {
    return GptTestSupport.cpuBackends();
  }

  @ParameterizedTest
  @MethodSource("backends")
  void gradientsDoNotDependOnWhatTheActivationGradientsHeld(String backend) {
    GptConfig cfg = GptConfig.of(67, 16, 2, 2, 16, true, 0.2f);
    for (Recompute recompute : Recompute.values()) {
      float[] clean = gradients(backend, cfg, recompute, false);
      float[] poisoned = gradients(backend, cfg, recompute, true);
      assertArrayEquals(clean, poisoned, backend + ", " + recompute);
    }
  }

  /** The gradients of two micro-steps; with {@code poison}, NaN fills the activation gradients before each. */
  private static float[] gradients(String backend, GptConfig cfg, Recompute recompute, boolean poison) {
    int B = 2, T = 16;
    try (Backend be = GptTestSupport.open(backend); Gpt model = new Gpt(cfg, be, B, T, recompute)) {
      model.initWeights(5);
      model.zeroGrads();
      for (int micro = 0; micro < 2; micro++) {
        if (poison) {
          FloatBuf d = model.activationGradsBuffer();
          float[] nan = new float[d.size()];
          Arrays.fill(nan, Float.NaN);
          be.write(d, 0, nan, 0, nan.length);
        }
        int[] x = GptTestSupport.randomTokens(21, micro, B * T, cfg.vocabSize());
        int[] y = GptTestSupport.randomTokens(22, micro, B * T, cfg.vocabSize());
        model.forwardBackward(x, y, 0.5f / (B * T), micro);
      }
      return model.readGrads();
    }
  }
}
