package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import dev.jgpt.kernels.tornado.TornadoBackend;
import dev.jgpt.kernels.tornado.TornadoBackendProvider;
import org.junit.jupiter.api.Test;

/**
 * A deep model trains on the TornadoVM backend and matches the CPU backend's losses: its training
 * step has more launches than one TornadoVM task graph holds (about 95), so it runs as several
 * graphs. PoCL compiles each launch for about a second, so by default 2 layers (75 launches) run
 * with 16 launches a graph (-Djgpt.tornado.tasksPerGraph=16: the same splitting, five graphs);
 * {@code -Djgpt.tornado.test.layers=48} runs gpt2-xl's depth with the real graph size (1,452
 * launches, 19 graphs, about 7 minutes on PoCL on 2 cores).
 */
class TornadoDepthTest {
  static final int B = 1, T = 4, V = 16, STEPS = 3;
  static final int LAYERS = Integer.getInteger("jgpt.tornado.test.layers", 2);
  static final GptConfig CFG = GptConfig.of(V, T, LAYERS, 2, 8, true, 0f);

  @Test
  void aDeepModelTrainsAndMatchesTheCpuBackend() {
    boolean small = Integer.getInteger("jgpt.tornado.test.layers") == null;
    if (small) System.setProperty("jgpt.tornado.tasksPerGraph", "16");
    try {
      trainBoth();
    } finally {
      if (small) System.clearProperty("jgpt.tornado.tasksPerGraph");
    }
  }

  private static void trainBoth() {
    float[] cpu, tornado;
    try (Backend be = Backends.open("cpu", 0, 2); Gpt gpt = new Gpt(CFG, be, B, T)) {
      cpu = train(gpt);
    }
    TornadoBackend dev = (TornadoBackend) new TornadoBackendProvider().create(
        Integer.getInteger("jgpt.tornado.device", 0), 0);
    try (dev; Gpt gpt = new Gpt(CFG, dev, B, T)) {
      tornado = train(gpt);
      int graphs = dev.stats().graphsPerStep.get("train");
      assertTrue(graphs >= 5, "the training step ran as " + graphs + " graphs");
    }
    for (int s = 0; s < STEPS; s++) {
      assertEquals(cpu[s], tornado[s], 1e-4f * Math.max(1f, Math.abs(cpu[s])), "loss at step " + (s + 1));
    }
  }

  private static float[] train(Gpt gpt) {
    gpt.initWeights(7);
    float[] losses = new float[STEPS];
    for (int step = 1; step <= STEPS; step++) {
      gpt.zeroGrads();
      losses[step - 1] = gpt.forwardBackward(GptTestSupport.randomTokens(9, 2 * step, B * T, V),
          GptTestSupport.randomTokens(9, 2 * step + 1, B * T, V), 1f / (B * T), step);
      gpt.optimizerStep(1e-2f, step, 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
    }
    return losses;
  }
}
