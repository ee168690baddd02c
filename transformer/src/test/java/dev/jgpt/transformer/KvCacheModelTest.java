package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.CaptureChecker;
import dev.jgpt.kernels.CounterRng;
import dev.jgpt.kernels.ReferenceBackend;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KvCacheModelTest {
  private static final int T = 12;

  private static GptConfig config(boolean bias) {
    return config(bias, T);
  }

  private static GptConfig config(boolean bias, int blockSize) {
    return GptConfig.of(70, blockSize, 2, 2, 16, bias, 0f);
  }

  private static int[] randomTokens(int n, int vocab, long seed) {
    int[] t = new int[n];
    long key = CounterRng.key(seed, 1, 9);
    for (int i = 0; i < n; i++) t[i] = CounterRng.nextInt(key, i, vocab);
    return t;
  }

  private static void assertLogitsClose(float[] expected, float[] actual, int v, String what) {
    for (int i = 0; i < v; i++) {
      assertEquals(expected[i], actual[i], 2e-4f * Math.max(1f, Math.abs(expected[i])), what + ", logit " + i);
    }
  }

  /** Full recompute of what the KV-cache model's window holds for a sequence of n tokens. */
  private static float[] recompute(Gpt gpt, KvCacheModel gen, int[] tokens, int n) {
    int start = (int) gen.windowStart(n);
    return gpt.lastLogits(Arrays.copyOfRange(tokens, start, n));
  }

  private void checkAgainstFullRecompute(boolean bias, int prefillThreshold) {
    checkAgainstFullRecompute(config(bias), prefillThreshold);
  }

  private void checkAgainstFullRecompute(GptConfig cfg, int prefillThreshold) {
    boolean bias = cfg.bias();
    int T = cfg.blockSize();
    Backend backend = new ReferenceBackend();
    Gpt gpt = new Gpt(cfg, backend, 1, T);
    gpt.writeParams(TestWeights.farFromInit(cfg, bias ? 1 : 2));
    KvCacheModel gen = KvCacheModel.forModel(gpt);
    gen.setPrefillThreshold(prefillThreshold);
    int[] tokens = randomTokens(3 * T + 5, cfg.vocabSize(), 3);
    for (int n = 1; n <= tokens.length; n++) {
      float[] cached = gen.nextLogits(tokens, n).clone();
      assertLogitsClose(recompute(gpt, gen, tokens, n), cached, cfg.vocabSize(), "bias " + bias + ", length " + n);
    }
  }

  @Test
  void kvCacheLogitsEqualAFullRecomputeAtEveryLengthThroughSeveralSlides() {
    checkAgainstFullRecompute(true, Integer.MAX_VALUE); // decode steps only
    checkAgainstFullRecompute(false, Integer.MAX_VALUE);
  }

  @Test
  void prefilledWindowsGiveTheSameLogitsAsDecodedOnes() {
    checkAgainstFullRecompute(true, 0); // every new window is prefilled
    checkAgainstFullRecompute(config(false, 40), 0); // prefills of 16, 32 and 40 rows
    GptConfig cfg = config(true);
    float[] w = TestWeights.farFromInit(cfg, 4);
    int[] tokens = randomTokens(T - 1, cfg.vocabSize(), 5);
    KvCacheModel decoded = KvCacheModel.withWeights(cfg, new ReferenceBackend(), w);
    decoded.setPrefillThreshold(Integer.MAX_VALUE);
    KvCacheModel prefilled = KvCacheModel.withWeights(cfg, new ReferenceBackend(), w);
    prefilled.setPrefillThreshold(0);
    assertLogitsClose(decoded.nextLogits(tokens, tokens.length).clone(), prefilled.nextLogits(tokens, tokens.length),
        cfg.vocabSize(), "prefill vs decode");
    assertEquals(1, prefilled.prefills());
    assertEquals(1, prefilled.decodeSteps(), "the last token is decoded to get its logits");
    assertEquals(0, decoded.prefills());
  }

  @Test
  void theCpuBackendsKvCacheMatchesTheReferenceRecompute() {
    int T = 40;
    GptConfig cfg = config(true, T);
    float[] w = TestWeights.farFromInit(cfg, 13);
    Gpt reference = new Gpt(cfg, new ReferenceBackend(), 1, T);
    reference.writeParams(w);
    try (Backend cpu = dev.jgpt.kernels.Backends.open("cpu", 2)) {
      KvCacheModel gen = KvCacheModel.withWeights(cfg, cpu, w);
      int[] tokens = randomTokens(2 * T + 7, cfg.vocabSize(), 14);
      for (int n = 1; n <= tokens.length; n++) {
        float[] cached = gen.nextLogits(tokens, n).clone();
        assertLogitsClose(recompute(reference, gen, tokens, n), cached, cfg.vocabSize(), "cpu, length " + n);
      }
      gen.setPrefillThreshold(0);
      int[] other = randomTokens(T, cfg.vocabSize(), 15);
      assertLogitsClose(recompute(reference, gen, other, T), gen.nextLogits(other, T), cfg.vocabSize(), "cpu prefill");
    }
  }

  @Test
  void theWindowStartsAt0AndSlidesByHalfTheBlock() {
    KvCacheModel gen = KvCacheModel.withWeights(config(true), new ReferenceBackend(), TestWeights.farFromInit(config(true), 1));
    assertEquals(0, gen.windowStart(1));
    assertEquals(0, gen.windowStart(T));
    assertEquals(T / 2, gen.windowStart(T + 1)); // window of T/2 + 1 tokens
    assertEquals(T / 2, gen.windowStart(T + T / 2));
    assertEquals(T, gen.windowStart(T + T / 2 + 1));
  }

  @Test
  void goingBackAndBranchingReusesTheCacheAndMatchesAFreshGenerator() {
    GptConfig cfg = config(true);
    float[] w = TestWeights.farFromInit(cfg, 6);
    KvCacheModel gen = KvCacheModel.withWeights(cfg, new ReferenceBackend(), w);
    gen.setPrefillThreshold(Integer.MAX_VALUE);
    int[] a = randomTokens(8, cfg.vocabSize(), 7);
    gen.nextLogits(a, 8);
    long steps = gen.decodeSteps();
    int[] b = a.clone();
    b[6] = (a[6] + 1) % cfg.vocabSize(); // same first 6 tokens, then a different branch
    float[] branched = gen.nextLogits(b, 8).clone();
    assertEquals(steps + 2, gen.decodeSteps(), "only the two changed positions are recomputed");
    KvCacheModel fresh = KvCacheModel.withWeights(cfg, new ReferenceBackend(), w);
    assertLogitsClose(fresh.nextLogits(b, 8), branched, cfg.vocabSize(), "branch");
    // :back — a shorter prefix of what is cached costs one step (its last position).
    long before = gen.decodeSteps();
    gen.nextLogits(b, 5);
    assertEquals(before + 1, gen.decodeSteps());
  }

  @Test
  void decodeAndPrefillStepsAreCaptureSafe() {
    int T = 40;
    GptConfig cfg = config(true, T);
    CaptureChecker checker = CaptureChecker.wrap(new ReferenceBackend());
    KvCacheModel gen = KvCacheModel.withWeights(cfg, checker.backend(), TestWeights.farFromInit(cfg, 8));
    gen.setPrefillThreshold(3);
    int[] tokens = randomTokens(4 * T, cfg.vocabSize(), 9);
    for (int n = 1; n <= tokens.length; n++) gen.nextLogits(tokens, n); // slides prefill T/2 = 20 tokens: 32 rows
    gen.nextLogits(tokens, 2);
    gen.nextLogits(tokens, 10); // 8 new tokens: 16 rows
    gen.nextLogits(tokens, T); // 39 tokens: 40 rows
    gen.nextLogits(tokens, 12);
    gen.nextLogits(tokens, 25);
    gen.nextLogits(tokens, T - 1);
    gen.nextLogits(tokens, 3);
    gen.nextLogits(tokens, 14); // 10 new tokens: 16 rows again
    assertTrue(checker.completedRuns("decode") > 2 * T, "decode steps ran: " + checker.completedRuns("decode"));
    for (int rows : new int[] {16, 32, 40}) {
      assertTrue(checker.completedRuns("prefill-" + rows) >= 2, rows + "-row prefills ran: "
          + checker.completedRuns("prefill-" + rows));
    }
  }

  @Test
  void prefillsRoundTheirRowsUpToPowersOfTwoWithinTheBlock() {
    KvCacheModel gen = KvCacheModel.withWeights(config(true, 100), new ReferenceBackend(), TestWeights.farFromInit(config(true, 100), 1));
    assertEquals(16, gen.prefillRows(1));
    assertEquals(16, gen.prefillRows(16));
    assertEquals(32, gen.prefillRows(17));
    assertEquals(64, gen.prefillRows(50));
    assertEquals(100, gen.prefillRows(99));
  }

  @Test
  void warmingUpLeavesNoTraceInLaterLogits() {
    GptConfig cfg = config(true);
    float[] w = TestWeights.farFromInit(cfg, 11);
    int[] tokens = randomTokens(2 * T, cfg.vocabSize(), 12);
    KvCacheModel cold = KvCacheModel.withWeights(cfg, new ReferenceBackend(), w);
    KvCacheModel warm = KvCacheModel.withWeights(cfg, new ReferenceBackend(), w);
    warm.warmUp(50_000_000L);
    assertTrue(warm.decodeSteps() > 0 && warm.prefills() > 0, "both paths ran");
    for (int n = 1; n <= tokens.length; n++) {
      assertLogitsClose(cold.nextLogits(tokens, n).clone(), warm.nextLogits(tokens, n), cfg.vocabSize(), "length " + n);
    }
  }

  @Test
  void tokensOutsideTheVocabularyAreAClearError() {
    GptConfig cfg = config(true);
    KvCacheModel gen = KvCacheModel.withWeights(cfg, new ReferenceBackend(), TestWeights.farFromInit(cfg, 1));
    var e = assertThrows(IllegalArgumentException.class, () -> gen.nextLogits(new int[] {1, 70}, 2));
    assertTrue(e.getMessage().contains("vocabulary"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> gen.nextLogits(new int[] {1}, 0));
    assertThrows(IllegalArgumentException.class,
        () -> KvCacheModel.withWeights(cfg, new ReferenceBackend(), new float[10]));
  }
}
