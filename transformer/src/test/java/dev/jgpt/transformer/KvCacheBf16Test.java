package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import dev.jgpt.kernels.CaptureChecker;
import dev.jgpt.kernels.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * A KV cache kept in bf16 ({@link KvCacheModel#useKvCache}): logits within bf16's rounding of
 * the F32 cache's, through prefills, decode steps and window slides; the same on any thread count;
 * decode and prefill steps named apart; one-line refusals.
 */
class KvCacheBf16Test {
  private static final int T = 40;
  private static final GptConfig CFG = GptConfig.of(70, T, 2, 2, 16, true, 0f); // head size 8

  private static int[] tokens(int n, long seed) {
    return GptTestSupport.randomTokens(seed, 9, n, CFG.vocabSize());
  }

  /** Every logit of a prompt of 12 (a prefill), then of every length to the end (decode steps, slides). */
  private static float[] logits(KvCacheModel m, int[] tokens) {
    int V = m.vocabSize(), first = 12;
    float[] all = new float[(tokens.length - first + 1) * V];
    for (int n = first; n <= tokens.length; n++) System.arraycopy(m.nextLogits(tokens, n), 0, all, (n - first) * V, V);
    return all;
  }

  @Test
  void logitsStayWithinBf16RoundingOfTheF32CacheOnAnyThreadCount() {
    float[] w = TestWeights.farFromInit(CFG, 31);
    int[] seq = tokens(T + 25, 32);
    float[] f32;
    try (Backend cpu = Backends.open("cpu", 1)) {
      f32 = logits(KvCacheModel.withWeights(CFG, cpu, w), seq);
    }
    float[] first = null;
    for (int threads : new int[] {1, 2, 3}) {
      try (Backend cpu = Backends.open("cpu", threads)) {
        KvCacheModel m = KvCacheModel.withWeights(CFG, cpu, w);
        m.useKvCache(WeightFormat.BF16);
        assertEquals(WeightFormat.BF16, m.kvCacheFormat());
        assertTrue(m.description().endsWith(", bf16 KV cache"), m.description());
        float[] got = logits(m, seq);
        if (first == null) first = got;
        assertArrayEquals(first, got, threads + " threads");
      }
    }
    GptTestSupport.assertWithinBf16Rounding(first, f32, "a bf16 KV cache");
  }

  @Test
  void decodeAndPrefillStepsAreNamedApart() {
    try (Backend cpu = Backends.open("cpu", 2)) {
      CaptureChecker checker = CaptureChecker.wrap(cpu);
      KvCacheModel m = KvCacheModel.withWeights(CFG, checker.backend(), TestWeights.farFromInit(CFG, 33));
      m.useKvCache(WeightFormat.BF16);
      logits(m, tokens(T + 5, 34));
      assertTrue(checker.completedRuns("decode-kv16") > T / 2, "bf16-cache decode steps ran");
      assertEquals(0, checker.completedRuns("decode"));
      assertTrue(checker.completedRuns("prefill-16-kv16") > 0, "a bf16-cache prefill ran");
    }
  }

  @Test
  void refusalsAreOneLine() {
    KvCacheModel ref = KvCacheModel.withWeights(CFG, new ReferenceBackend(), TestWeights.farFromInit(CFG, 35));
    var e = assertThrows(IllegalArgumentException.class, () -> ref.useKvCache(WeightFormat.BF16));
    assertEquals("the reference backend cannot keep a 16-bit KV cache: use --kv-cache f32, or --backend cpu for "
        + "--kv-cache bf16", e.getMessage());
    assertEquals(WeightFormat.F32, ref.kvCacheFormat());
    GptConfig odd = GptConfig.of(70, T, 1, 2, 18, true, 0f); // head size 9
    try (Backend cpu = Backends.open("cpu", 1)) {
      KvCacheModel m = KvCacheModel.withWeights(odd, cpu, TestWeights.farFromInit(odd, 36));
      e = assertThrows(IllegalArgumentException.class, () -> m.useKvCache(WeightFormat.BF16));
      assertEquals("--kv-cache bf16 needs an even head size; this model's is 9: use --kv-cache f32", e.getMessage());
      KvCacheModel even = KvCacheModel.withWeights(CFG, cpu, TestWeights.farFromInit(CFG, 37));
      even.useKvCache(WeightFormat.BF16);
      e = assertThrows(IllegalArgumentException.class, () -> even.useKvCache(WeightFormat.F32));
      assertTrue(e.getMessage().startsWith("this model keeps its KV cache in bf16 already"), e.getMessage());
    }
  }
}
