package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import dev.jgpt.kernels.CaptureChecker;
import dev.jgpt.kernels.CounterRng;
import dev.jgpt.kernels.ReferenceBackend;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/**
 * Decoding with bf16 copies of the matrices ({@link KvCacheModel#useWeights}): logits within
 * bf16's rounding of the F32 ones, the CPU and reference backends agreeing, F32 unchanged when
 * asked for again, and one-line refusals.
 */
class KvCacheModelBf16Test {
  private static final int T = 40;
  private static final GptConfig CFG = GptConfig.of(70, T, 2, 2, 16, true, 0f);

  private static int[] tokens(int n, long seed) {
    int[] t = new int[n];
    long key = CounterRng.key(seed, 1, 9);
    for (int i = 0; i < n; i++) t[i] = CounterRng.nextInt(key, i, CFG.vocabSize());
    return t;
  }

  /** Every logit of every length 1 .. n (decode steps, then a slide), in one array. */
  private static float[] allLogits(KvCacheModel m, int[] tokens) {
    int V = m.vocabSize();
    float[] all = new float[tokens.length * V];
    for (int n = 1; n <= tokens.length; n++) System.arraycopy(m.nextLogits(tokens, n), 0, all, (n - 1) * V, V);
    return all;
  }

  @Test
  void bf16LogitsStayWithinBf16RoundingOfF32AndBackendsAgree() {
    float[] w = TestWeights.farFromInit(CFG, 21);
    int[] seq = tokens(T + 15, 22);
    float[] f32 = allLogits(KvCacheModel.withWeights(CFG, new ReferenceBackend(), w), seq);
    KvCacheModel ref = KvCacheModel.withWeights(CFG, new ReferenceBackend(), w);
    ref.useWeights(WeightFormat.BF16);
    assertEquals(WeightFormat.BF16, ref.weightFormat());
    float[] refBf16 = allLogits(ref, seq);
    // bf16 keeps 8 significant bits: logits move by a few tenths of a percent of their range, not more
    GptTestSupport.assertWithinBf16Rounding(refBf16, f32, "bf16 weights");
    try (Backend cpu = Backends.open("cpu", 2)) {
      KvCacheModel fast = KvCacheModel.withWeights(CFG, cpu, w);
      fast.useWeights(WeightFormat.BF16);
      float[] cpuBf16 = allLogits(fast, seq);
      for (int i = 0; i < f32.length; i++) {
        assertEquals(refBf16[i], cpuBf16[i], 2e-4f * Math.max(1f, Math.abs(refBf16[i])), "cpu vs reference, " + i);
      }
    }
  }

  @Test
  void backToF32GivesTheF32LogitsBitForBit() {
    float[] w = TestWeights.farFromInit(CFG, 23);
    int[] seq = tokens(20, 24);
    float[] f32 = allLogits(KvCacheModel.withWeights(CFG, new ReferenceBackend(), w), seq);
    KvCacheModel m = KvCacheModel.withWeights(CFG, new ReferenceBackend(), w);
    m.useWeights(WeightFormat.BF16);
    allLogits(m, seq);
    m.useWeights(WeightFormat.F32);
    assertEquals(WeightFormat.F32, m.weightFormat());
    m.nextLogits(new int[] {5}, 1); // start the sequence afresh: the cache holds bf16-computed positions
    assertArrayEquals(f32, allLogits(m, seq));
  }

  @Test
  void bf16DecodeStepsAreCaptureSafeAndNamedApart() {
    CaptureChecker checker = CaptureChecker.wrap(new ReferenceBackend());
    KvCacheModel m = KvCacheModel.withWeights(CFG, checker.backend(), TestWeights.farFromInit(CFG, 25));
    m.useWeights(WeightFormat.BF16);
    allLogits(m, tokens(T + 5, 26));
    assertTrue(checker.completedRuns("decode-bf16") > T, "bf16 decode steps ran");
    assertEquals(0, checker.completedRuns("decode"));
  }

  @Test
  void aBackendWithoutBf16IsRefusedInOneLine() {
    Backend reference = new ReferenceBackend();
    Backend noBf16 = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
        (proxy, method, args) -> {
          if (method.getName().equals("supportsBf16Weights")) return false;
          if (method.getName().equals("name")) return "tornado";
          try {
            return method.invoke(reference, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    KvCacheModel m = KvCacheModel.withWeights(CFG, noBf16, TestWeights.farFromInit(CFG, 27));
    var e = assertThrows(IllegalArgumentException.class, () -> m.useWeights(WeightFormat.BF16));
    assertEquals("the tornado backend cannot decode with 16-bit weights: use --weights f32, or --backend cpu for "
        + "--weights bf16", e.getMessage());
    assertEquals(WeightFormat.F32, m.weightFormat());
  }

  @Test
  void copiesThatDoNotFitTheHeapAreRefusedBeforeTheyAreMade() {
    KvCacheModel m = KvCacheModel.withWeights(CFG, new ReferenceBackend(), TestWeights.farFromInit(CFG, 28));
    var e = assertThrows(MemoryCheck.DoesNotFit.class,
        () -> m.useWeights(WeightFormat.BF16, new HeapBudget(10_000, 10_000, 0)));
    assertTrue(e.getMessage().contains("16-bit weights"), e.getMessage());
    assertEquals(WeightFormat.F32, m.weightFormat());
  }

  @Test
  void weightFormatsParseByNameAndOthersAreOneLine() {
    assertEquals(WeightFormat.BF16, WeightFormat.parse("bf16"));
    assertEquals(WeightFormat.F32, WeightFormat.parse("F32"));
    var e = assertThrows(IllegalArgumentException.class, () -> WeightFormat.parse("f16"));
    assertEquals("--weights must be f32 or bf16, got 'f16'", e.getMessage());
  }
}
