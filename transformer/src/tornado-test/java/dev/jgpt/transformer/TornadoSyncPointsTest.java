package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.kernels.tornado.Stats;
import dev.jgpt.kernels.tornado.TornadoBackend;
import dev.jgpt.kernels.tornado.TornadoBackendProvider;
import org.junit.jupiter.api.Test;

/**
 * How often a replayed training step waits for the device: each blocking task-graph execution and
 * each read back is a sync point. A step as the Trainer drives it (zero_grads, train, update) runs
 * three graphs and reads two values (the losses, the gradient norm); the learning rate, Adam step
 * and dropout step written before a step go up with that step's graph. One more micro-batch adds
 * one graph and one read.
 */
class TornadoSyncPointsTest {
  static final int B = 2, T = 8, V = 32;
  static final GptConfig CFG = GptConfig.of(V, T, 1, 2, 16, true, 0f);

  @Test
  void aReplayedTrainingStepHasFiveSyncPointsAndEachMicroBatchTwoMore() {
    TornadoBackend dev = (TornadoBackend) new TornadoBackendProvider().create(
        Integer.getInteger("jgpt.tornado.device", 0), 0);
    try (dev; Gpt gpt = new Gpt(CFG, dev, B, T)) {
      gpt.initWeights(5);
      for (int step = 1; step <= 3; step++) train(gpt, step, 1); // record, compile, replay
      Stats before = dev.stats().snapshot();
      train(gpt, 4, 1);
      Stats after = dev.stats().snapshot();
      assertEquals(3, after.graphRuns - before.graphRuns, "graph runs per step: " + after);
      assertEquals(2, after.reads - before.reads, "reads per step: " + after);
      assertEquals(0, after.writeFlushes - before.writeFlushes, "write runs of their own per step");

      before = after;
      train(gpt, 5, 3); // three micro-batches
      after = dev.stats().snapshot();
      assertEquals(3 + 2, after.graphRuns - before.graphRuns, "graph runs per step of three micro-batches");
      assertEquals(2 + 2, after.reads - before.reads, "reads per step of three micro-batches");
    }
  }

  private static void train(Gpt gpt, int step, int microBatches) {
    gpt.zeroGrads();
    for (int micro = 0; micro < microBatches; micro++) {
      gpt.forwardBackward(GptTestSupport.randomTokens(21, 2 * step + 100 * micro, B * T, V),
          GptTestSupport.randomTokens(21, 2 * step + 1 + 100 * micro, B * T, V), 1f / (B * T * microBatches), step);
    }
    gpt.optimizerStep(1e-2f, step, 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
  }
}
