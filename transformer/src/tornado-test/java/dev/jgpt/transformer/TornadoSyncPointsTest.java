package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.kernels.tornado.Stats;
import dev.jgpt.kernels.tornado.TornadoBackend;
import dev.jgpt.kernels.tornado.TornadoBackendProvider;
import org.junit.jupiter.api.Test;

/**
 * How often a replayed training step waits for the device: each blocking task-graph execution and
 * each read of its own is a sync point. A step as the Trainer drives it (zeroGrads, train, update)
 * runs two graphs and nothing else: the update zeroes the gradients it consumed, so zeroGrads runs
 * nothing; the learning rate, Adam step and dropout step written before a step go up with that
 * step's graph, and the losses and the gradient norm read after it come down with it. One more
 * micro-batch adds one graph. (Before: three, with a zero_grads graph of its own; before that five
 * graph runs, two of them for the writes alone, and two reads: seven; each micro-batch three more.)
 */
class TornadoSyncPointsTest {
  static final int B = 2, T = 8, V = 32;
  static final GptConfig CFG = GptConfig.of(V, T, 1, 2, 16, true, 0f);

  @Test
  void aReplayedTrainingStepHasTwoSyncPointsAndEachMicroBatchOneMore() {
    TornadoBackend dev = (TornadoBackend) new TornadoBackendProvider().create(
        Integer.getInteger("jgpt.tornado.device", 0), 0);
    try (dev; Gpt gpt = new Gpt(CFG, dev, B, T)) {
      gpt.initWeights(5);
      for (int step = 1; step <= 3; step++) train(gpt, step, 1); // record, compile, replay
      Stats before = dev.stats().snapshot();
      train(gpt, 4, 1);
      Stats after = dev.stats().snapshot();
      assertEquals(2, after.graphRuns - before.graphRuns, "graph runs per step: " + after);
      assertEquals(0, after.reads - before.reads, "reads of their own per step: " + after);
      assertEquals(2, after.readsWithStep - before.readsWithStep, "reads that came with a step (loss, norm)");
      assertEquals(0, after.writeFlushes - before.writeFlushes, "write runs of their own per step");

      before = after;
      train(gpt, 5, 3); // three micro-batches
      after = dev.stats().snapshot();
      assertEquals(2 + 2, after.graphRuns - before.graphRuns, "graph runs per step of three micro-batches");
      assertEquals(0, after.reads - before.reads, "reads of their own per step of three micro-batches");
      assertEquals(3 + 1, after.readsWithStep - before.readsWithStep, "reads that came with a step");
    }
  }

  private static void train(Gpt gpt, int step, int microBatches) {
    gpt.zeroGrads();
    for (int micro = 0; micro < microBatches; micro++) {
      gpt.forwardBackward(GptTestSupport.randomTokens(21, 2 * step + 100 * micro, B * T, V),
          GptTestSupport.randomTokens(21, 2 * step + 1 + 100 * micro, B * T, V), 1f / (B * T), step); // a fixed scale: it is part of the captured step
    }
    gpt.optimizerStep(1e-2f, step, 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
  }
}
