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

class GeneratorTest {
  private static final int T = 12;

  private static GptConfig config(boolean bias) {
    return GptConfig.of(70, T, 2, 2, 16, bias, 0f);
  }

  /** Weights far from init (std 0.3, layer norms around 1) so a wrong op changes the logits visibly. */
  private static float[] randomWeights(GptConfig cfg, long seed) {
    ParameterLayout layout = new ParameterLayout(cfg);
    float[] w = new float[layout.totalCount()];
    long key = CounterRng.key(seed, 0, 7);
    for (int i = 0; i < w.length; i++) w[i] = 0.3f * CounterRng.normal(key, i);
    for (TensorSpec t : layout.tensors()) {
      if (t.name().contains("ln_") && t.name().endsWith(".weight")) {
        for (int i = t.offset(); i < t.end(); i++) w[i] += 1f;
      }
    }
    // wte's padded rows stay zero, as training leaves them
    TensorSpec wte = layout.get("wte");
    Arrays.fill(w, wte.offset() + cfg.vocabSize() * cfg.nEmbd(), wte.end(), 0f);
    return w;
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

  /** Full recompute of what the generator's window holds for a sequence of n tokens. */
  private static float[] recompute(Gpt gpt, Generator gen, int[] tokens, int n) {
    int start = (int) gen.windowStart(n);
    return gpt.lastLogits(Arrays.copyOfRange(tokens, start, n));
  }

  private void checkAgainstFullRecompute(boolean bias, int prefillThreshold) {
    GptConfig cfg = config(bias);
    Backend backend = new ReferenceBackend();
    Gpt gpt = new Gpt(cfg, backend, 1, T);
    gpt.writeParams(randomWeights(cfg, bias ? 1 : 2));
    Generator gen = Generator.forModel(gpt);
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
    GptConfig cfg = config(true);
    float[] w = randomWeights(cfg, 4);
    int[] tokens = randomTokens(T - 1, cfg.vocabSize(), 5);
    Generator decoded = Generator.withWeights(cfg, new ReferenceBackend(), w);
    decoded.setPrefillThreshold(Integer.MAX_VALUE);
    Generator prefilled = Generator.withWeights(cfg, new ReferenceBackend(), w);
    prefilled.setPrefillThreshold(0);
    assertLogitsClose(decoded.nextLogits(tokens, tokens.length).clone(), prefilled.nextLogits(tokens, tokens.length),
        cfg.vocabSize(), "prefill vs decode");
    assertEquals(1, prefilled.prefills());
    assertEquals(1, prefilled.decodeSteps(), "the last token is decoded to get its logits");
    assertEquals(0, decoded.prefills());
  }

  @Test
  void theWindowStartsAt0AndSlidesByHalfTheBlock() {
    Generator gen = Generator.withWeights(config(true), new ReferenceBackend(), randomWeights(config(true), 1));
    assertEquals(0, gen.windowStart(1));
    assertEquals(0, gen.windowStart(T));
    assertEquals(T / 2, gen.windowStart(T + 1)); // window of T/2 + 1 tokens
    assertEquals(T / 2, gen.windowStart(T + T / 2));
    assertEquals(T, gen.windowStart(T + T / 2 + 1));
  }

  @Test
  void goingBackAndBranchingReusesTheCacheAndMatchesAFreshGenerator() {
    GptConfig cfg = config(true);
    float[] w = randomWeights(cfg, 6);
    Generator gen = Generator.withWeights(cfg, new ReferenceBackend(), w);
    gen.setPrefillThreshold(Integer.MAX_VALUE);
    int[] a = randomTokens(8, cfg.vocabSize(), 7);
    gen.nextLogits(a, 8);
    long steps = gen.decodeSteps();
    int[] b = a.clone();
    b[6] = (a[6] + 1) % cfg.vocabSize(); // same first 6 tokens, then a different branch
    float[] branched = gen.nextLogits(b, 8).clone();
    assertEquals(steps + 2, gen.decodeSteps(), "only the two changed positions are recomputed");
    Generator fresh = Generator.withWeights(cfg, new ReferenceBackend(), w);
    assertLogitsClose(fresh.nextLogits(b, 8), branched, cfg.vocabSize(), "branch");
    // :back — a shorter prefix of what is cached costs one step (its last position).
    long before = gen.decodeSteps();
    gen.nextLogits(b, 5);
    assertEquals(before + 1, gen.decodeSteps());
  }

  @Test
  void decodeAndPrefillStepsAreCaptureSafe() {
    GptConfig cfg = config(true);
    CaptureChecker checker = CaptureChecker.wrap(new ReferenceBackend());
    Generator gen = Generator.withWeights(cfg, checker.backend(), randomWeights(cfg, 8));
    gen.setPrefillThreshold(3);
    int[] tokens = randomTokens(4 * T, cfg.vocabSize(), 9);
    for (int n = 1; n <= tokens.length; n++) gen.nextLogits(tokens, n);
    gen.nextLogits(tokens, 2); // back to the start of a new window: prefill-free decode
    gen.nextLogits(tokens, T); // a long jump: prefill again
    assertTrue(checker.completedRuns("decode") > 2 * T, "decode steps ran: " + checker.completedRuns("decode"));
    assertTrue(checker.completedRuns("prefill") >= 3, "prefills ran: " + checker.completedRuns("prefill"));
  }

  @Test
  void tokensOutsideTheVocabularyAreAClearError() {
    GptConfig cfg = config(true);
    Generator gen = Generator.withWeights(cfg, new ReferenceBackend(), randomWeights(cfg, 1));
    var e = assertThrows(IllegalArgumentException.class, () -> gen.nextLogits(new int[] {1, 70}, 2));
    assertTrue(e.getMessage().contains("vocabulary"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> gen.nextLogits(new int[] {1}, 0));
    assertThrows(IllegalArgumentException.class,
        () -> Generator.withWeights(cfg, new ReferenceBackend(), new float[10]));
  }
}
