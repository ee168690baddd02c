package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import org.junit.jupiter.api.Test;

/**
 * The TornadoVM backend keeps each buffer kind (parameters, gradients, optimizer state,
 * activations) in its own device allocation: with the device's largest allocation forced to 64 MiB,
 * a model whose buffers take more than that together, but less each, trains and matches the CPU
 * backend's losses; a model one of whose kinds alone passes the limit is refused in one line.
 */
class TornadoArenaSplitTest {
  // A 32768-token vocabulary at C = 128 makes about 4.4 M parameters: 17 MiB a kind (m and v
  // together 34 MiB), over 70 MiB in all, while one layer keeps PoCL's compile short.
  static final int B = 2, T = 8, V = 32768, STEPS = 5;
  static final GptConfig CFG = GptConfig.of(V, T, 1, 2, 128, true, 0f);

  @Test
  void aModelLargerThanOneAllocationTrainsAndMatchesTheCpuBackend() {
    long P = new ParameterLayout(CFG).totalCount();
    assertTrue(4 * P * Float.BYTES > 64L << 20, "the model must exceed 64 MiB in all: " + 16 * P + " bytes");
    assertTrue(2 * P * Float.BYTES < 64L << 20, "each kind must fit in 64 MiB");
    float[] cpuLosses, tornadoLosses;
    try (Backend cpu = Backends.open("cpu", 0, 2); Gpt gpt = new Gpt(CFG, cpu, B, T)) {
      cpuLosses = train(gpt);
    }
    System.setProperty("jgpt.tornado.maxAllocation", "64m");
    try (Backend dev = Backends.open("tornado", Integer.getInteger("jgpt.tornado.device", 0), 0);
        Gpt gpt = new Gpt(CFG, dev, B, T)) {
      tornadoLosses = train(gpt);
    } finally {
      System.clearProperty("jgpt.tornado.maxAllocation");
    }
    float worst = 0f;
    for (int s = 0; s < STEPS; s++) worst = Math.max(worst, Math.abs(cpuLosses[s] - tornadoLosses[s]));
    System.out.println("TornadoArenaSplitTest: " + 16 * P + " bytes of parameters, gradients and moments under a 64 MiB"
        + " allocation limit; largest loss difference over " + STEPS + " steps: " + worst);
    for (int s = 0; s < STEPS; s++) {
      assertEquals(cpuLosses[s], tornadoLosses[s], 1e-4f * Math.max(1f, Math.abs(cpuLosses[s])), "loss at step " + (s + 1));
    }
  }

  @Test
  void aKindBeyondTheLargestAllocationIsRefusedInOneLine() {
    System.setProperty("jgpt.tornado.maxAllocation", "16m");
    try (Backend dev = Backends.open("tornado", Integer.getInteger("jgpt.tornado.device", 0), 0)) {
      var e = assertThrows(IllegalArgumentException.class, () -> new Gpt(CFG, dev, B, T).close());
      String line = e.getMessage();
      assertTrue(line.startsWith("the model does not fit on "), line);
      assertTrue(line.contains(": its parameters need 16.8 MiB in one device buffer (at \"params\"), and the device"
          + " allows 16.0 MiB per buffer; use a smaller model"), line);
      assertTrue(!line.contains("\n"), line);
    } finally {
      System.clearProperty("jgpt.tornado.maxAllocation");
    }
  }

  private static float[] train(Gpt gpt) {
    gpt.initWeights(5);
    float[] losses = new float[STEPS];
    for (int step = 1; step <= STEPS; step++) {
      int[] inputs = GptTestSupport.randomTokens(21, 2 * step, B * T, V);
      int[] targets = GptTestSupport.randomTokens(21, 2 * step + 1, B * T, V);
      gpt.zeroGrads();
      losses[step - 1] = gpt.forwardBackward(inputs, targets, 1f / (B * T), step);
      gpt.optimizerStep(1e-2f, step, 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
    }
    return losses;
  }
}
