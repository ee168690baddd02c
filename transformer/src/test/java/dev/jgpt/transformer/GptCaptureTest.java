package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.CaptureChecker;
import dev.jgpt.kernels.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * Every step the model runs is capture-safe: replays issue the same ops on the same slices with
 * the same constant arguments, never read mid-step and never allocate mid-step (CaptureChecker
 * throws at the first violation). Runs a realistic loop: gradient accumulation, dropout,
 * changing learning rate, evaluation and prompts of different lengths.
 */
class GptCaptureTest {

  @Test
  void trainingEvaluationAndLogitsStepsReplayIdentically() {
    int B = 2, T = 8, V = 30;
    CaptureChecker checker = CaptureChecker.wrap(new ReferenceBackend());
    GptConfig cfg = GptConfig.of(V, T, 2, 2, 16, true, 0.1f);
    try (Gpt gpt = new Gpt(cfg, checker.backend(), B, T)) {
      gpt.initWeights(3);
      int accum = 2;
      for (int step = 1; step <= 3; step++) {
        gpt.zeroGrads();
        for (int micro = 0; micro < accum; micro++) {
          int[] x = GptTestSupport.randomTokens(step, 2 * micro, B * T, V);
          int[] y = GptTestSupport.randomTokens(step, 2 * micro + 1, B * T, V);
          float loss = gpt.forwardBackward(x, y, 1f / (B * T * accum), (long) step * accum + micro);
          assertTrue(Float.isFinite(loss));
        }
        gpt.optimizerStep(1e-3f * step, step, 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
        int[] x = GptTestSupport.randomTokens(100 + step, 0, B * T, V);
        gpt.evalLoss(x, x);
        gpt.logits(x);
        gpt.lastLogits(java.util.Arrays.copyOf(x, step * 3)); // 3, 6 and 9 (> T: cropped) tokens
      }
      assertEquals(6, checker.completedRuns("train"));
      assertEquals(3, checker.completedRuns("update"));
      // the update step zeroes the gradients it consumed: zeroGrads has nothing left to run
      assertEquals(0, checker.completedRuns("zero_grads"));
      assertEquals(3, checker.completedRuns("eval"));
      assertEquals(3, checker.completedRuns("logits"));
      assertEquals(3, checker.completedRuns("last_logits"));
      assertTrue(checker.recordedOps("train").stream().anyMatch(op -> op.startsWith("dropoutBackward")),
          "the training step runs dropout");
    }
  }
}
