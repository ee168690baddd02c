package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import dev.jgpt.kernels.tornado.TornadoBackend;
import dev.jgpt.kernels.tornado.TornadoBackendProvider;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A training run as the Trainer drives it (zeroGrads, train, update; then an evaluation and a
 * sample, then more training and another evaluation) compiles each step's graph exactly once:
 * a step kind seen late gets its own plan instead of a rebuilt one that recompiles everything.
 */
class TornadoCompileOnceTest {
  static final int B = 2, T = 8, V = 32;
  static final GptConfig CFG = GptConfig.of(V, T, 1, 2, 16, true, 0f);

  @Test
  void everyStepGraphCompilesOncePerRunAndSwitchingPlansKeepsTheNumbers() {
    float[] cpu, tornado;
    try (Backend be = Backends.open("cpu", 0, 2); Gpt gpt = new Gpt(CFG, be, B, T)) {
      cpu = run(gpt);
    }
    TornadoBackend dev = (TornadoBackend) new TornadoBackendProvider().create(
        Integer.getInteger("jgpt.tornado.device", 0), 0);
    try (dev; Gpt gpt = new Gpt(CFG, dev, B, T)) {
      tornado = run(gpt);
      Map<String, Integer> compilations = dev.stats().compilations;
      // no zero_grads step: the update zeroes the gradients
      assertEquals(Map.of("train", 1, "update", 1, "eval", 1, "last_logits", 1), compilations,
          "compilations per step graph");
      // The training plan holds every kind; the evaluation and sampling plans hold no gradients
      // and no optimizer state (3P floats fewer, less the stand-in float of each kind left out).
      List<Long> planBytes = dev.stats().planDeviceBytes;
      long P = new ParameterLayout(CFG).totalCount();
      assertEquals(2, planBytes.size(), "plans: " + planBytes);
      assertEquals(4 * 3 * P - 2 * 4, planBytes.get(0) - planBytes.get(1), "plan bytes " + planBytes);
    }
    // each switch between the training, evaluation and sampling plans moves the arena between
    // their device copies (and frees the one left): the numbers must come through unchanged
    for (int i = 0; i < cpu.length; i++) {
      assertEquals(cpu[i], tornado[i], 1e-4f * Math.max(1f, Math.abs(cpu[i])), "value " + i);
    }
  }

  /** Train, evaluate, sample, twice over; the two eval losses and the last logits. */
  private static float[] run(Gpt gpt) {
    gpt.initWeights(5);
    float[] out = new float[2 + V];
    for (int step = 1; step <= 3; step++) train(gpt, step);
    out[0] = gpt.evalLoss(GptTestSupport.randomTokens(3, 1, B * T, V), GptTestSupport.randomTokens(3, 2, B * T, V));
    gpt.lastLogits(new int[] {1, 2, 3});
    for (int step = 4; step <= 6; step++) train(gpt, step);
    out[1] = gpt.evalLoss(GptTestSupport.randomTokens(3, 3, B * T, V), GptTestSupport.randomTokens(3, 4, B * T, V));
    System.arraycopy(gpt.lastLogits(new int[] {1, 2, 3}), 0, out, 2, V);
    return out;
  }

  private static void train(Gpt gpt, int step) {
    gpt.zeroGrads();
    gpt.forwardBackward(GptTestSupport.randomTokens(21, 2 * step, B * T, V),
        GptTestSupport.randomTokens(21, 2 * step + 1, B * T, V), 1f / (B * T), step);
    gpt.optimizerStep(1e-2f, step, 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
  }
}
