package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * {@link Recompute}: recomputing activations in the backward pass instead of keeping them per
 * layer changes no bit of a training run, and the size rule picks the level it documents. On the
 * CPU backend, keeping everything also keeps GELU's slope in place of its input ({@link
 * Block#keepsGeluSlope}), which the recompute levels cannot: the same comparison pins that path
 * against GELU' evaluated in the backward pass.
 */
class RecomputeTest {

  static java.util.List<String> backends() {
    return GptTestSupport.cpuBackends();
  }

  @ParameterizedTest
  @MethodSource("backends")
  void everyLevelTrainsBitForBitAsKeepingEverything(String backend) {
    // att (B, NH, T, T) smaller than a (N, 4C) tensor, and (4 heads of 2 channels) larger
    GptConfig[] configs = {GptConfig.of(67, 16, 3, 2, 16, true, 0f), GptConfig.of(67, 16, 3, 2, 16, true, 0.2f),
        GptConfig.of(67, 16, 2, 4, 8, true, 0.2f)};
    try (Backend be = GptTestSupport.open(backend)) {
      assertEquals(backend.equals("cpu"), Block.keepsGeluSlope(be, Recompute.NONE), backend + " keeps GELU's slope");
    }
    for (GptConfig cfg : configs) {
      float dropout = cfg.dropout();
      Run kept = train(backend, cfg, Recompute.NONE);
      for (Recompute r : new Recompute[] {Recompute.NORMS_AND_GELU, Recompute.ATTENTION_TOO}) {
        Run recomputed = train(backend, cfg, r);
        String what = backend + ", " + r + ", dropout " + dropout;
        assertArrayEquals(kept.losses, recomputed.losses, what);
        assertArrayEquals(kept.grads, recomputed.grads, what);
        assertArrayEquals(kept.params, recomputed.params, what);
        assertArrayEquals(kept.logits, recomputed.logits, what);
      }
    }
  }

  private record Run(float[] losses, float[] grads, float[] params, float[] logits) {}

  /** Three optimizer steps of two micro-steps each, then an evaluation's logits. */
  private static Run train(String backend, GptConfig cfg, Recompute recompute) {
    int B = 3, T = 16;
    try (Backend be = GptTestSupport.open(backend); Gpt model = new Gpt(cfg, be, B, T, recompute)) {
      model.initWeights(7);
      float[] losses = new float[6];
      for (int step = 0; step < 3; step++) {
        model.zeroGrads();
        for (int micro = 0; micro < 2; micro++) {
          int[] x = GptTestSupport.randomTokens(11, 2 * step + micro, B * T, cfg.vocabSize());
          int[] y = GptTestSupport.randomTokens(12, 2 * step + micro, B * T, cfg.vocabSize());
          losses[2 * step + micro] = model.forwardBackward(x, y, 0.5f / (B * T), 2L * step + micro);
        }
        if (step < 2) model.optimizerStep(1e-2f, step + 1, 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
      }
      float[] grads = model.readGrads();
      float[] params = model.readParams();
      float[] logits = model.logits(GptTestSupport.randomTokens(13, 0, B * T, cfg.vocabSize()));
      return new Run(losses, grads, params, logits);
    }
  }

  @Test
  void smallRecipesKeepEverythingAndTheBabyGptRecomputesTheAttentionToo() {
    // nanogpt-cpu: 4 x 128, context 64, batch 12: a few MB
    assertEquals(Recompute.NONE, Recompute.forTraining(GptConfig.of(257, 64, 4, 4, 128, true, 0f), 12, 64));
    // baby-gpt: 6 x 384, context 256, batch 64: 3.7 GB kept, 2.3 GB without norms and GELU
    GptConfig baby = GptConfig.of(257, 256, 6, 6, 384, true, 0.2f);
    assertEquals(Recompute.ATTENTION_TOO, Recompute.forTraining(baby, 64, 256));
    // the same at batch 24: 1.4 GB kept, under 1 GiB once norms and GELU are recomputed
    assertEquals(Recompute.NORMS_AND_GELU, Recompute.forTraining(baby, 24, 256));
  }

  @Test
  void attentionIsNotRecomputedWhenTheBackendKeepsOnlyASmallStateForIt() {
    // GPT-2 124M at batch 4 x 1024: over 1 GiB at every level
    GptConfig gpt2 = GptConfig.of(50257, 1024, 12, 12, 768, true, 0f);
    int B = 4, T = 1024;
    long weights = Activations.attentionWeights(gpt2, B, T), rowStats = 2L * B * gpt2.nHead() * T;
    assertEquals(Recompute.ATTENTION_TOO, Recompute.forTraining(gpt2, B, T, weights), "the weights: 201 MB a layer");
    // two floats a row (TornadoVM's flash kernels): recomputing would save only atty, 151 MB of 2.3 GB
    assertEquals(Recompute.NORMS_AND_GELU, Recompute.forTraining(gpt2, B, T, rowStats));
    long norms = Activations.floatCount(gpt2, B, T, Recompute.NORMS_AND_GELU, rowStats);
    assertTrue(norms * Float.BYTES > Recompute.KEEP_BYTES, "not chosen because it fits: " + norms * 4);
  }

  @Test
  void eachLevelTakesLessMemoryAndTheRuleStopsAtTheFirstUnderTheLimit() {
    GptConfig cfg = GptConfig.of(257, 256, 6, 6, 384, true, 0.2f);
    for (int B : new int[] {1, 8, 24, 64}) {
      long none = bytes(cfg, B, Recompute.NONE);
      long norms = bytes(cfg, B, Recompute.NORMS_AND_GELU);
      long attention = bytes(cfg, B, Recompute.ATTENTION_TOO);
      assertTrue(attention < norms && norms < none, "batch " + B);
      Recompute chosen = Recompute.forTraining(cfg, B, 256);
      // with the (B, NH, T, T) weights, recomputing the attention always saves more than a quarter here
      assertTrue(norms - attention >= Recompute.ATTENTION_RECOMPUTE_MIN_SAVING * norms, "batch " + B);
      Recompute expected = none <= Recompute.KEEP_BYTES ? Recompute.NONE
          : norms <= Recompute.KEEP_BYTES ? Recompute.NORMS_AND_GELU : Recompute.ATTENTION_TOO;
      assertEquals(expected, chosen, "batch " + B);
    }
  }

  @Test
  void theEstimateCountsTheLayoutTheModelAllocates() {
    GptConfig cfg = GptConfig.of(257, 256, 6, 6, 384, true, 0.2f);
    try (Backend be = GptTestSupport.open("reference")) {
      MemoryEstimate estimate = Gpt.trainingMemory(cfg, be, 64, 256);
      long activations = estimate.parts().stream().filter(p -> p.name().startsWith("activations")).findFirst()
          .orElseThrow().bytes();
      assertEquals(Activations.floatCount(cfg, 64, 256, Recompute.ATTENTION_TOO) * Float.BYTES, activations);
      assertTrue(estimate.breakdown().contains("activations (norms, GELU, attention recomputed) 1.5 GB"),
          estimate.breakdown());
      // the small recipe keeps everything and says nothing more
      MemoryEstimate small = Gpt.trainingMemory(GptConfig.of(257, 64, 4, 4, 128, true, 0f), be, 12, 64);
      assertTrue(small.breakdown().contains("activations 3"), small.breakdown());
    }
  }

  @Test
  void aModelWithoutPerLayerAttentionWeightsRefusesToShowThem() {
    GptConfig cfg = GptConfig.of(67, 16, 2, 2, 16, true, 0f);
    try (Backend be = GptTestSupport.open("reference"); Gpt model = new Gpt(cfg, be, 1, 16, Recompute.ATTENTION_TOO)) {
      model.inspectForward(new int[] {1, 2, 3});
      assertThrows(IllegalStateException.class, () -> model.readAttention(0, 0, 2, new float[3], 0, 3));
    }
  }

  private static long bytes(GptConfig cfg, int B, Recompute r) {
    return Activations.floatCount(cfg, B, 256, r) * Float.BYTES;
  }
}
