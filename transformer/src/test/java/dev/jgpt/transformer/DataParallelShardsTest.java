package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A small model's training step on data-parallel shards ({@link DataParallelShards}): each shard's
 * gradients are those of its rows alone, added in shard order, so the step's gradients are the
 * float sum of the two halves' gradients bit for bit, on one thread (shards one after another) and
 * on two (at once); dropout masks differ between the shards; a bad token id fails before any shard runs.
 * A shard waits for the others' passes (it helps them): a pass that never ran would hang a step, so
 * the class has a time limit.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DataParallelShardsTest {
  static final int T = 8, V = 40;
  static final GptConfig CFG = GptConfig.of(V, T, 2, 2, 16, true, 0f);

  @Test
  void aSmallModelWithAnEvenBatchTrainsOnTwoShardsAndALargeOneOrAnOddBatchDoesNot() {
    try (Backend cpu = Backends.open("cpu", 0, 2)) {
      assertEquals(2, Gpt.shardCount(CFG, cpu, 4));
      assertEquals(1, Gpt.shardCount(CFG, cpu, 3), "an odd batch does not split");
      GptConfig large = GptConfig.of(50_257, 64, 12, 12, 768, true, 0f); // GPT-2 124M
      assertEquals(1, Gpt.shardCount(large, cpu, 4), "a large model's ops keep the cores busy");
    }
  }

  /**
   * A backend whose runTogether runs the halves one after the other (the interface's default, as a
   * wrapper that does not forward it would): the first half's help must not wait for a second half
   * that cannot begin before it returns. The same gradients as the backend itself gives.
   */
  @Test
  void halvesRunOneAfterAnotherByABackendThatDoesNotRunThemTogetherStillTrain() {
    int B = 2;
    int[] x = GptTestSupport.randomTokens(5, 0, B * T, V), y = GptTestSupport.randomTokens(5, 1, B * T, V);
    try (Backend cpu = Backends.open("cpu", 0, 2)) {
      Backend inTurn = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
          (proxy, method, args) -> method.getName().equals("runTogether")
              ? InvocationHandler.invokeDefault(proxy, method, args)
              : method.invoke(cpu, args));
      float[] together, oneAfterAnother;
      try (Gpt whole = new Gpt(CFG, cpu, B, T)) {
        whole.initWeights(7);
        whole.forwardBackward(x, y, 1f / (B * T), 1);
        together = whole.readGrads();
      }
      try (Gpt whole = new Gpt(CFG, inTurn, B, T)) {
        whole.initWeights(7);
        whole.forwardBackward(x, y, 1f / (B * T), 1);
        oneAfterAnother = whole.readGrads();
      }
      assertArrayEquals(together, oneAfterAnother);
    }
  }

  @Test
  void theStepsGradientsAreTheTwoHalvesGradientsAddedOnOneThreadAndOnTwo() {
    int B = 2;
    int[] x = GptTestSupport.randomTokens(5, 0, B * T, V), y = GptTestSupport.randomTokens(5, 1, B * T, V);
    float scale = 1f / (B * T);
    float[] first, second;
    float firstLoss, secondLoss;
    // each half alone (B = 1 is odd: no shards), on one thread
    try (Backend be = Backends.open("cpu", 0, 1); Gpt half = new Gpt(CFG, be, 1, T)) {
      half.initWeights(7);
      firstLoss = half.forwardBackward(Arrays.copyOfRange(x, 0, T), Arrays.copyOfRange(y, 0, T), scale, 1);
      first = half.readGrads();
      half.zeroGrads();
      secondLoss = half.forwardBackward(Arrays.copyOfRange(x, T, 2 * T), Arrays.copyOfRange(y, T, 2 * T), scale, 1);
      second = half.readGrads();
    }
    float[] sum = new float[first.length];
    for (int i = 0; i < sum.length; i++) sum[i] = first[i] + second[i];
    for (int threads : new int[] {1, 2, 3}) { // 3: shares of 2 and 1 threads
      try (Backend be = Backends.open("cpu", 0, threads); Gpt whole = new Gpt(CFG, be, B, T)) {
        whole.initWeights(7);
        float loss = whole.forwardBackward(x, y, scale, 1);
        assertArrayEquals(sum, whole.readGrads(), threads + " thread(s): the halves' gradients added");
        assertEquals((float) (((double) firstLoss + secondLoss) / 2), loss, threads + " thread(s): the mean loss");
        whole.optimizerStep(1e-3f, 1, 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
        assertTrue(Arrays.stream(toDoubles(whole.readGrads())).allMatch(g -> g == 0), "the update consumed them");
        // a second step starts from zero in both shards (the second shard's own gradients too):
        // the same gradients as a new model's first step from the updated weights
        whole.forwardBackward(x, y, scale, 2);
        try (Gpt fresh = new Gpt(CFG, be, B, T)) {
          fresh.writeParams(whole.readParams());
          fresh.forwardBackward(x, y, scale, 2);
          assertArrayEquals(fresh.readGrads(), whole.readGrads(), threads + " thread(s): the second step");
          assertFalse(Arrays.equals(sum, fresh.readGrads()), "new weights, new gradients");
        }
      }
    }
  }

  @Test
  void stepsOnOneTwoAndThreeThreadsGiveTheSameWeightsWithDropout() {
    GptConfig withDropout = GptConfig.of(V, T, 2, 2, 16, true, 0.2f);
    float[][] weights = new float[3][];
    for (int threads = 1; threads <= 3; threads++) {
      try (Backend be = Backends.open("cpu", 0, threads); Gpt gpt = new Gpt(withDropout, be, 4, T)) {
        gpt.initWeights(3);
        for (int step = 1; step <= 3; step++) {
          gpt.forwardBackward(GptTestSupport.randomTokens(step, 0, 4 * T, V), GptTestSupport.randomTokens(step, 1, 4 * T, V),
              1f / (4 * T), step);
          gpt.optimizerStep(1e-2f, step, 0.9f, 0.95f, 1e-8f, 0.1f, 1f);
        }
        weights[threads - 1] = gpt.readParams();
      }
    }
    assertArrayEquals(weights[0], weights[1], "1 and 2 threads");
    assertArrayEquals(weights[0], weights[2], "1 and 3 threads (shares of 2 and 1 threads)");
  }

  @Test
  void theShardsDrawDifferentDropoutMasks() {
    // the same two sequences in both halves: with the same masks the halves' gradients would be equal
    GptConfig withDropout = GptConfig.of(V, T, 1, 2, 16, true, 0.5f);
    int[] x = GptTestSupport.randomTokens(9, 0, T, V), y = GptTestSupport.randomTokens(9, 1, T, V);
    int[] xx = concat(x, x), yy = concat(y, y);
    try (Backend be = Backends.open("cpu", 0, 1); Gpt whole = new Gpt(withDropout, be, 2, T);
        Gpt half = new Gpt(withDropout, be, 1, T)) {
      whole.initWeights(1);
      half.initWeights(1);
      whole.forwardBackward(xx, yy, 1f, 1);
      half.forwardBackward(x, y, 1f, 1);
      float[] doubled = half.readGrads();
      for (int i = 0; i < doubled.length; i++) doubled[i] *= 2;
      assertNotEquals(Arrays.toString(doubled), Arrays.toString(whole.readGrads()));
    }
  }

  @Test
  void aBadTokenIdFailsBeforeAnyShardRunsAndLeavesTheGradientsAtZero() {
    try (Backend be = Backends.open("cpu", 0, 2); Gpt gpt = new Gpt(CFG, be, 2, T)) {
      gpt.initWeights(1);
      int[] x = GptTestSupport.randomTokens(1, 0, 2 * T, V);
      x[T + 3] = V; // in the second shard's rows
      var e = assertThrows(IllegalArgumentException.class, () -> gpt.forwardBackward(x, x.clone(), 1f, 1));
      assertEquals("inputs[" + (T + 3) + "] = " + V + " is not a token id of a " + V + "-token vocabulary", e.getMessage());
      assertTrue(Arrays.stream(toDoubles(gpt.readGrads())).allMatch(g -> g == 0));
    }
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }
}
