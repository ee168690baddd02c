package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/**
 * {@link Gpt#trainingMemory} and {@link KvCacheModel#memory}: the estimates a command checks before
 * allocating, against the heap really taken.
 */
class GptMemoryTest {

  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  @Test
  void trainingEstimateMatchesTheHeapAModelTakesAfterAStepAndACheckpointRead() {
    // About 60 MB, dropout on (its extra tensors counted), so heap noise of a few MB is small next to it.
    GptConfig cfg = GptConfig.of(256, 128, 4, 4, 128, true, 0.1f);
    int B = 4, T = 128;
    warmUp(); // class loading and JIT happen outside the measured window
    try (Backend be = GptTestSupport.open("cpu")) {
      long before = usedAfterGc();
      Gpt model = new Gpt(cfg, be, B, T);
      model.initWeights(1);
      int[] tokens = GptTestSupport.randomTokens(1, 0, B * T, cfg.vocabSize());
      model.zeroGrads();
      model.forwardBackward(tokens, tokens, 1f / (B * T), 0); // the backend grows its scratch here
      model.optimizerStep(1e-3f, 1, 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
      // what a checkpoint holds on the host while it writes
      float[][] copies = {model.readParams(), model.readAdamM(), model.readAdamV()};
      long measured = usedAfterGc() - before;
      Reference.reachabilityFence(model);
      Reference.reachabilityFence(copies);

      MemoryEstimate estimate = Gpt.trainingMemory(cfg, be, B, T);
      long estimated = estimate.totalBytes();
      String report = "estimated " + MemoryEstimate.bytes(estimated) + ", measured " + MemoryEstimate.bytes(measured)
          + " (" + estimate.breakdown() + ")";
      // G1 (the test JVM's collector) rounds each large array up to whole 2 MB regions: measured runs ~10% over.
      assertTrue(Math.abs(measured - estimated) <= 0.25 * estimated + 4_000_000, report);
    }
  }

  @Test
  void generationEstimateMatchesTheHeapOfLoadedWeightsAndAGeneratorAfterAPrefill() {
    // About 85 MB: G1 rounds each large array up to 2 MB regions, a few MB that must stay small next to it.
    GptConfig cfg = GptConfig.of(256, 512, 4, 6, 384, true, 0f);
    warmUp();
    try (Backend be = GptTestSupport.open("cpu")) {
      long before = usedAfterGc();
      float[] weights = WeightInit.initialParameters(new ParameterLayout(cfg), 1); // as read from a checkpoint
      KvCacheModel g = KvCacheModel.withWeights(cfg, be, weights);
      g.nextLogits(GptTestSupport.randomTokens(1, 0, 512, 256), 512); // a whole window: the prefill buffers too
      long measured = usedAfterGc() - before;
      Reference.reachabilityFence(g);
      Reference.reachabilityFence(weights);

      MemoryEstimate estimate = KvCacheModel.memory(cfg, be);
      long estimated = estimate.totalBytes();
      String report = "estimated " + MemoryEstimate.bytes(estimated) + ", measured " + MemoryEstimate.bytes(measured)
          + " (" + estimate.breakdown() + ")";
      assertTrue(Math.abs(measured - estimated) <= 0.25 * estimated + 4_000_000, report);
    }
  }

  /**
   * A model switched to a bf16 KV cache before its first step never allocates the F32 one: after
   * the same prefill and decode steps it holds less heap than the F32 model (it used to hold the
   * bf16 cache beside the F32 one, more), and its estimate counts only the bf16 cache.
   */
  @Test
  void aBf16KvCacheChosenBeforeTheFirstStepTakesThePlaceOfTheF32One() {
    // The caches dominate: F32 8.4 MB (G1 gives each of its two 4 MB arrays three 2 MB regions), bf16 4.2 MB.
    GptConfig cfg = GptConfig.of(64, 1024, 4, 4, 256, true, 0f);
    float[] weights = WeightInit.initialParameters(new ParameterLayout(cfg), 1);
    int[] tokens = GptTestSupport.randomTokens(1, 0, 1024, 64);
    warmUp();
    long[] measured = new long[2];
    for (int bf16 = 0; bf16 < 2; bf16++) {
      try (Backend be = GptTestSupport.open("cpu")) {
        long before = usedAfterGc();
        KvCacheModel g = KvCacheModel.withWeights(cfg, be, weights);
        if (bf16 == 1) g.useKvCache(WeightFormat.BF16);
        g.nextLogits(tokens, 1024); // a whole window's prefill (its buffers too), then a decode step
        measured[bf16] = usedAfterGc() - before;
        Reference.reachabilityFence(g);
        if (bf16 == 1) {
          // no F32 cache, the bf16 one, F32 weights; the weights as read are held above, outside the measure
          MemoryEstimate estimate = KvCacheModel.memory(cfg, be, false, true, false);
          long estimated = estimate.totalBytes();
          String report = "estimated " + MemoryEstimate.bytes(estimated) + ", measured "
              + MemoryEstimate.bytes(measured[1]) + " (" + estimate.breakdown() + ")";
          assertTrue(Math.abs(measured[1] - estimated) <= 0.25 * estimated + 4_000_000, report);
        }
      }
    }
    long saved = measured[0] - measured[1];
    assertTrue(saved >= 3_000_000, "the bf16-cache model holds " + MemoryEstimate.bytes(saved) + " less than the F32 one, "
        + "expected its 4.2 MB smaller cache and no F32 cache beside it (F32 " + MemoryEstimate.bytes(measured[0])
        + ", bf16 " + MemoryEstimate.bytes(measured[1]) + ")");
  }

  @Test
  void activationsAreCountedByTheLayoutThatAllocatesThem() {
    GptConfig cfg = GptConfig.of(100, 16, 2, 2, 8, true, 0.2f);
    try (Backend be = GptTestSupport.open("reference")) {
      for (Recompute r : Recompute.values()) {
        long att = Activations.attentionWeights(cfg, 3, 16);
        ActivationGrads grads = new ActivationGrads(cfg, 3, 16, r, att, be);
        assertEquals(grads.buf.size(), ActivationGrads.floatCount(cfg, 3, 16, r), r.name());
        Activations acts = new Activations(cfg, 3, 16, r, att, r == Recompute.NONE ? null : grads, be);
        assertEquals(acts.buf.size(), Activations.floatCount(cfg, 3, 16, r), r.name());
      }
    }
  }

  /**
   * A backend that keeps a smaller attention state than the weights (TornadoVM's flash kernels: a
   * max and a sum per row) gets just that per layer in a training model, and the estimate counts
   * what is allocated; a forward-only model, which inspection reads the weights from, keeps them.
   */
  @Test
  void aTrainingModelGivesAttentionWhatTheBackendsStateNeedsAndTheEstimateCountsIt() {
    GptConfig cfg = GptConfig.of(100, 16, 2, 2, 8, true, 0.2f);
    int B = 3, T = 16, L = 2;
    long weights = (long) B * 2 * T * T, state = 2L * B * 2 * T;
    Backend plain = GptTestSupport.open("reference");
    Backend small = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
        (proxy, method, args) -> method.getName().equals("attentionStateSize") ? 2L * (int) args[0] * (int) args[3]
            * (int) args[1] : method.invoke(plain, args));
    try (plain; Gpt withWeights = new Gpt(cfg, plain, B, T); Gpt withState = new Gpt(cfg, small, B, T)) {
      assertEquals(weights, withWeights.activationsAttLength());
      assertEquals(state, withState.activationsAttLength());
      assertEquals(2L * T * T, Gpt.forwardOnly(withState, T).activationsAttLength(), "inspection reads the weights (B = 1)");
      Recompute r = Recompute.forTraining(cfg, B, T);
      assertEquals(Recompute.NONE, r, "every layer keeps its att");
      long heavier = Gpt.trainingMemory(cfg, plain, B, T).totalBytes();
      long lighter = Gpt.trainingMemory(cfg, small, B, T).totalBytes();
      assertEquals(L * (weights - state) * Float.BYTES, heavier - lighter, "one att a layer, the state instead of the weights");
      assertEquals(Activations.floatCount(cfg, B, T, r, state), Activations.floatCount(cfg, B, T, r) - L * (weights - state));
    }
  }

  @Test
  void estimatingABigConfigAllocatesNothing() {
    // GPT-2 small at batch 16 x 1024: far beyond the test JVM's heap, yet the estimate is free.
    GptConfig cfg = GptConfig.of(50257, 1024, 12, 12, 768, true, 0f);
    try (Backend be = GptTestSupport.open("cpu")) {
      long before = usedAfterGc();
      MemoryEstimate e = Gpt.trainingMemory(cfg, be, 16, 1024);
      assertTrue(e.totalBytes() > Runtime.getRuntime().maxMemory(), e.breakdown());
      assertTrue(usedAfterGc() - before < 1_000_000, "nothing allocated");
    }
  }

  @Test
  void aDeviceBackendsBuffersAreNotCountedOnTheHeap() {
    GptConfig cfg = GptConfig.of(256, 64, 2, 2, 32, true, 0f);
    // A backend whose buffers are not Java arrays (as TornadoVM's): only the host's copies stay.
    Backend device = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
        (proxy, method, args) -> method.getReturnType() == long.class ? 0L
            : method.getReturnType() == boolean.class ? false : null); // buffersOnHeap() false
    long P = new ParameterLayout(cfg).totalCount();
    assertEquals(3 * P * Float.BYTES + 4 * 64 * Float.BYTES, Gpt.trainingMemory(cfg, device, 4, 64).totalBytes(),
        "checkpoint copies and the host's losses");
    assertEquals(P * Float.BYTES, KvCacheModel.memory(cfg, device).totalBytes(), "the weights as read");
  }

  @Test
  void bytesAreWrittenWithTwoOrThreeDigits() {
    assertEquals("512 B", MemoryEstimate.bytes(512));
    assertEquals("1.5 KB", MemoryEstimate.bytes(1_500));
    assertEquals("453 MB", MemoryEstimate.bytes(453_000_000));
    assertEquals("3.7 GB", MemoryEstimate.bytes(3_712_000_000L));
    assertEquals("18.0 GB", MemoryEstimate.bytes(18_000_000_000L));
  }

  /** One small training step and generation on a throwaway backend, so the measured ones start from warm classes. */
  private static void warmUp() {
    GptConfig tiny = GptConfig.of(64, 8, 1, 2, 8, true, 0.1f);
    try (Backend be = GptTestSupport.open("cpu")) {
      Gpt m = new Gpt(tiny, be, 2, 8);
      m.initWeights(1);
      int[] t = GptTestSupport.randomTokens(1, 0, 16, 64);
      m.zeroGrads();
      m.forwardBackward(t, t, 1f / 16, 0);
      m.optimizerStep(1e-3f, 1, 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
      m.readParams();
      KvCacheModel g = KvCacheModel.forModel(m);
      g.nextLogits(t, 8); // a prefill, then a decode step
      g.nextLogits(t, 9);
    }
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) MEMORY.gc(); // a few rounds: finalizable and soft leftovers go too
    return MEMORY.getHeapMemoryUsage().getUsed();
  }
}
