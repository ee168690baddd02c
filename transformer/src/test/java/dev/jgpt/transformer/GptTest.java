package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.ReferenceBackend;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The Gpt API's contracts beyond the numerics (those are in the golden and gradient tests). */
class GptTest {
  static final int B = 2, T = 8, V = 40;
  final GptConfig cfg = GptConfig.of(V, 12, 2, 2, 16, true, 0f);
  final int[] x = GptTestSupport.randomTokens(1, 0, B * T, V);
  final int[] y = GptTestSupport.randomTokens(1, 1, B * T, V);

  private Gpt model(GptConfig config) {
    Gpt gpt = new Gpt(config, new ReferenceBackend(), B, T);
    gpt.writeParams(GptGradientCheckTest.largeRandomParameters(gpt.layout(), 5));
    return gpt;
  }

  @Test
  void backwardAddsIntoTheGradients() {
    try (Gpt gpt = model(cfg)) {
      gpt.zeroGrads();
      gpt.forwardBackward(x, y, 1f, 0);
      float[] once = gpt.readGrads();
      gpt.forwardBackward(x, y, 1f, 0);
      float[] twice = gpt.readGrads();
      for (int i = 0; i < once.length; i++) assertEquals(2 * once[i], twice[i], 1e-5f * Math.abs(once[i]) + 1e-7f);
      gpt.zeroGrads();
      assertTrue(allZero(gpt.readGrads()));
    }
  }

  @Test
  void anOptimizerStepLeavesTheGradientsZeroSoTheNextStepStartsFromZero() {
    try (Gpt gpt = model(cfg); Gpt fresh = model(cfg)) {
      gpt.forwardBackward(x, y, 1f, 0);
      gpt.optimizerStep(1e-3f, 1, 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
      assertTrue(allZero(gpt.readGrads()), "the update consumed the gradients");
      gpt.zeroGrads(); // nothing left to do
      gpt.forwardBackward(x, y, 1f, 0);
      float[] afterUpdate = gpt.readGrads();
      // the same parameters in a fresh model, gradients zeroed as before: the same gradients
      fresh.writeParams(gpt.readParams());
      fresh.zeroGrads();
      fresh.forwardBackward(x, y, 1f, 0);
      assertArrayEquals(fresh.readGrads(), afterUpdate);
    }
  }

  @Test
  void evalLossEqualsTheTrainingLossWithoutDropoutAndLeavesGradientsAlone() {
    try (Gpt gpt = model(cfg)) {
      gpt.zeroGrads();
      float eval = gpt.evalLoss(x, y);
      assertTrue(allZero(gpt.readGrads()));
      assertEquals(eval, gpt.forwardBackward(x, y, 1f, 0), 1e-6f);
    }
  }

  @Test
  void dropoutMasksFollowTheRngStepAndTheSeed() {
    try (Gpt gpt = model(GptConfig.of(V, 12, 2, 2, 16, true, 0.3f))) {
      float a = gpt.forwardBackward(x, y, 1f, 7);
      assertEquals(a, gpt.forwardBackward(x, y, 1f, 7), "same step, same masks");
      assertNotEquals(a, gpt.forwardBackward(x, y, 1f, 8), "next step, new masks");
      assertNotEquals(a, gpt.evalLoss(x, y), "no dropout in evaluation");
      gpt.setDropoutSeed(Gpt.DEFAULT_DROPOUT_SEED + 1);
      assertNotEquals(a, gpt.forwardBackward(x, y, 1f, 7), "another seed, other masks");
    }
  }

  @Test
  void optimizerDecaysOnlyTheTwoDimensionalWeightsAndReportsTheGradientNorm() {
    try (Gpt gpt = model(cfg)) {
      float[] before = gpt.readParams();
      gpt.zeroGrads(); // zero gradients: AdamW's update is the weight decay alone
      assertEquals(0f, gpt.optimizerStep(0.1f, 1, 0.9f, 0.95f, 1e-8f, 0.5f, 1f));
      float[] after = gpt.readParams();
      int D = gpt.layout().decayedCount();
      for (int i = 0; i < before.length; i++) {
        float expected = i < D ? before[i] * (1f - 0.1f * 0.5f) : before[i];
        assertEquals(expected, after[i], 1e-6f * Math.abs(before[i]), "param " + i);
      }

      gpt.forwardBackward(x, y, 1f, 0);
      double sq = 0;
      for (float g : gpt.readGrads()) sq += (double) g * g;
      assertEquals(Math.sqrt(sq), gpt.optimizerStep(1e-3f, 2, 0.9f, 0.95f, 1e-8f, 0f, 1f), 1e-4 * Math.sqrt(sq));
    }
  }

  @Test
  void clippingScalesTheGradientAdamSees() {
    // The first step's first moment is m = (1 - beta1) * g * clip, clip = maxNorm / norm.
    try (Gpt gpt = model(cfg)) {
      gpt.zeroGrads();
      gpt.forwardBackward(x, y, 1f, 0);
      float[] g = gpt.readGrads();
      float norm = gpt.optimizerStep(1e-3f, 1, 0.9f, 0.95f, 1e-8f, 0f, 0.01f);
      assertTrue(norm > 1f, "the norm is large enough to clip: " + norm);
      float clip = 0.01f / (norm + 1e-6f);
      float[] m = gpt.readAdamM();
      for (int i = 0; i < g.length; i += 97) assertEquals(0.1f * g[i] * clip, m[i], 1e-6f * Math.abs(g[i]) + 1e-12f);
    }
  }

  @Test
  void lastLogitsIsTheLogitsRowOfTheLastContextPosition() {
    try (Gpt gpt = model(cfg)) {
      float[] all = gpt.logits(x); // (B, T, V)
      for (int n : new int[] {1, 5, T}) {
        float[] expected = Arrays.copyOfRange(all, (n - 1) * V, n * V); // row 0, position n-1
        assertArrayEquals(expected, gpt.lastLogits(Arrays.copyOf(x, n)), 1e-5f, "context of " + n);
      }
      int[] longer = new int[T + 3];
      System.arraycopy(x, 0, longer, 3, T);
      assertArrayEquals(gpt.lastLogits(Arrays.copyOf(x, T)), gpt.lastLogits(longer), "crops to the last T tokens");
    }
  }

  @Test
  void stateRoundTrips() {
    try (Gpt gpt = model(cfg)) {
      float[] m = GptGradientCheckTest.largeRandomParameters(gpt.layout(), 8);
      float[] v = GptGradientCheckTest.largeRandomParameters(gpt.layout(), 9);
      gpt.writeAdamM(m);
      gpt.writeAdamV(v);
      assertArrayEquals(m, gpt.readAdamM());
      assertArrayEquals(v, gpt.readAdamV());
      gpt.initWeights(1);
      assertArrayEquals(WeightInit.initialParameters(gpt.layout(), 1), gpt.readParams());
      assertTrue(allZero(gpt.readAdamM()) && allZero(gpt.readAdamV()), "init resets Adam state");
    }
  }

  @Test
  void badInputsAreOneLineErrors() {
    try (Gpt gpt = model(cfg)) {
      assertMessage("expected 16 token ids", () -> gpt.evalLoss(new int[3], y));
      int[] bad = x.clone();
      bad[4] = V;
      assertMessage("inputs[4] = 40 is not a token id", () -> gpt.forwardBackward(bad, y, 1f, 0));
      assertMessage("targets[4] = 40", () -> gpt.evalLoss(x, bad));
      assertMessage("expected " + gpt.layout().totalCount() + " floats", () -> gpt.writeParams(new float[10]));
      assertMessage("context is empty", () -> gpt.lastLogits(new int[0]));
    }
    assertMessage("sequence length 13 must be between 1 and block_size (12)",
        () -> new Gpt(cfg, new ReferenceBackend(), 1, 13));
    assertMessage("n_embd (16) must be divisible by n_head (3)",
        () -> new Gpt(GptConfig.of(V, 12, 2, 3, 16, true, 0f), new ReferenceBackend(), 1, 4));
    Gpt closed = model(cfg);
    closed.close();
    assertThrows(IllegalStateException.class, () -> closed.evalLoss(x, y));
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
    RuntimeException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), e.getMessage());
  }

  private static boolean allZero(float[] v) {
    for (float f : v) if (f != 0f) return false;
    return true;
  }
}
