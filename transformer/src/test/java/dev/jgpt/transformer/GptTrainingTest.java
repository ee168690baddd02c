package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.CounterRng;
import dev.jgpt.kernels.ReferenceBackend;
import org.junit.jupiter.api.Test;

/** Training end to end through forwardBackward and optimizerStep (AdamW), on the reference backend. */
class GptTrainingTest {

  @Test
  void overfitsOneBatch() {
    int B = 4, T = 16, V = 32;
    GptConfig cfg = GptConfig.of(V, T, 2, 2, 32, true, 0f);
    int[] inputs = GptTestSupport.randomTokens(11, 1, B * T, V);
    int[] targets = GptTestSupport.randomTokens(11, 2, B * T, V);
    try (Backend backend = new ReferenceBackend(); Gpt gpt = new Gpt(cfg, backend, B, T)) {
      gpt.initWeights(1);
      // GPT-2 init predicts nearly uniformly over the real vocabulary: the padding gets no mass
      assertEquals(Math.log(V), gpt.evalLoss(inputs, targets), 0.05, "initial loss");
      float loss = Float.NaN;
      for (int step = 1; step <= 150; step++) {
        gpt.zeroGrads();
        loss = gpt.forwardBackward(inputs, targets, 1f / (B * T), step);
        gpt.optimizerStep(1e-2f, step, 0.9f, 0.95f, 1e-8f, 0f, 1f);
      }
      assertTrue(loss < 0.05, "loss after 150 steps on one batch: " + loss);
      assertTrue(gpt.evalLoss(inputs, targets) < 0.05);
      float[] params = gpt.readParams();
      TensorSpec wte = gpt.layout().get("wte");
      for (int i = wte.offset() + V * cfg.nEmbd(); i < wte.end(); i++) {
        assertEquals(0f, params[i], "padded rows of wte stay zero");
      }
    }
  }

  /**
   * A tiny synthetic task: after "a b c d SEP" the model must write "d c b a". The first half is
   * random (irreducible loss), the reversed half is determined, so the model must learn
   * position-dependent attention. Measured on fresh sequences.
   */
  @Test
  void learnsToReverseASequence() {
    int K = 4, digits = 10, T = 2 * K, B = 16;
    GptConfig cfg = GptConfig.of(digits + 1, T, 2, 2, 32, true, 0f);
    ReverseTask task = new ReverseTask(K, digits, B);
    try (Backend backend = new ReferenceBackend(); Gpt gpt = new Gpt(cfg, backend, B, T)) {
      gpt.initWeights(1);
      for (int step = 1; step <= 150; step++) {
        task.fill(step);
        gpt.zeroGrads();
        gpt.forwardBackward(task.inputs, task.targets, 1f / (B * T), step);
        gpt.optimizerStep(3e-3f, step, 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
      }
      int correct = 0, total = 0;
      for (int batch = 0; batch < 4; batch++) {
        task.fill(1_000_000 + batch); // sequences never trained on
        float[] logits = gpt.logits(task.inputs);
        for (int b = 0; b < B; b++) {
          for (int t = K; t < T; t++) {
            int row = b * T + t;
            if (argmax(logits, row * cfg.vocabSize(), cfg.vocabSize()) == task.targets[row]) correct++;
            total++;
          }
        }
      }
      assertTrue(correct >= 0.99 * total, "reversed tokens right: " + correct + " of " + total);
    }
  }

  /** Batches of "x1..xK SEP xK..x2" with targets shifted by one, drawn from the counter-based RNG. */
  private static final class ReverseTask {
    final int K, digits, B;
    final int[] inputs, targets;

    ReverseTask(int K, int digits, int B) {
      this.K = K;
      this.digits = digits;
      this.B = B;
      inputs = new int[B * 2 * K];
      targets = new int[B * 2 * K];
    }

    void fill(long batch) {
      long key = CounterRng.key(5, batch, 0);
      int T = 2 * K;
      int[] seq = new int[T + 1];
      for (int b = 0; b < B; b++) {
        for (int i = 0; i < K; i++) seq[i] = CounterRng.nextInt(key, b * K + i, digits);
        seq[K] = digits; // the separator token
        for (int i = 0; i < K; i++) seq[K + 1 + i] = seq[K - 1 - i];
        for (int t = 0; t < T; t++) {
          inputs[b * T + t] = seq[t];
          targets[b * T + t] = seq[t + 1];
        }
      }
    }
  }

  private static int argmax(float[] v, int from, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) if (v[from + i] > v[from + best]) best = i;
    return best;
  }
}
