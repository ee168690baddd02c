package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pool with room for a helper (a data-parallel shard's share): while another thread is in
 * {@link WorkerPool#help}, its ops split into one part more and the helper claims parts; no part
 * runs twice while helpers come and go; and the kernels give the same bits helped or not. A part
 * run twice leaves the caller waiting for a count that never reaches zero: the timeout, on a
 * thread of its own, turns that into a failure.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PoolHelpTest {

  @Test
  void opsTakeAPartMoreWhileAHelperIsInAndTheHelperRunsIt() throws Exception {
    try (WorkerPool pool = new WorkerPool(1, true)) {
      pool.beginOp();
      assertEquals(1, pool.parts(), "alone, a one-thread share's ops run whole");
      AtomicBoolean leave = new AtomicBoolean();
      Thread helper = new Thread(() -> pool.help(leave::get), "test-helper");
      helper.start();
      awaitParts(pool, 2);
      // part 0 waits for part 1: only a thread other than the caller can run it
      CountDownLatch partOneDone = new CountDownLatch(1);
      Thread[] ranBy = new Thread[2];
      pool.run((w, ws) -> {
        ranBy[w] = Thread.currentThread();
        if (w == 1) {
          partOneDone.countDown();
        } else {
          try {
            assertTrue(partOneDone.await(10, TimeUnit.SECONDS), "the helper never ran part 1");
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        }
      });
      assertEquals(helper, ranBy[1]);
      leave.set(true);
      helper.join(10_000);
      pool.beginOp();
      assertEquals(1, pool.parts(), "once the helper has left, the ops run whole again");
    }
  }

  @Test
  void helpReturnsAtOnceWhereThePoolTakesNone() {
    try (WorkerPool pool = new WorkerPool(2)) {
      pool.help(() -> false); // would never return if it waited for done
      pool.beginOp();
      assertEquals(2, pool.parts());
    }
  }

  @Test
  void noPartRunsTwiceWhileAHelperComesAndGoes() throws Exception {
    // A helper that leaves and comes back every few ops meets tasks of both part counts, and
    // sometimes holds an older generation than the one running: claims must refuse it every part
    // it may not run (the task's own parts already claimed, the parts it does not have marked).
    try (WorkerPool pool = new WorkerPool(2, true)) {
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger ops = new AtomicInteger();
      Thread helper = new Thread(() -> {
        while (!stop.get()) {
          int until = ops.get() + 3;
          pool.help(() -> ops.get() >= until || stop.get());
        }
      }, "test-helper");
      helper.start();
      try {
        for (int op = 0; op < 20_000; op++) {
          pool.beginOp();
          int n = pool.parts();
          AtomicIntegerArray runs = new AtomicIntegerArray(3);
          AtomicInteger wrongCount = new AtomicInteger();
          pool.run((w, ws) -> {
            runs.incrementAndGet(w);
            if (ws != n) wrongCount.incrementAndGet();
          });
          for (int w = 0; w < 3; w++) assertEquals(w < n ? 1 : 0, runs.get(w), "part " + w + " of op " + op + " (" + n + " parts)");
          assertEquals(0, wrongCount.get(), "a part saw another op's part count");
          ops.incrementAndGet();
        }
      } finally {
        stop.set(true);
        helper.join(10_000);
      }
    }
  }

  @Test
  void aHelperHoldingAnOlderGenerationClaimsNoPartOfANewerTask() throws Exception {
    // Two threads and room for a helper: op A runs in 2 parts, op B (a helper has come in) in 3.
    // A helper that read A's generation but B's task must claim nothing: B's part 2 was never a
    // part of A, so A marks it claimed. Part 1 of B waits until part 0 has made the stale claim,
    // so that the worker does not take part 2 first.
    try (WorkerPool pool = new WorkerPool(2, true)) {
      pool.beginOp();
      assertEquals(2, pool.parts());
      pool.run((w, ws) -> {});
      long generationOfA = pool.generation();
      CountDownLatch release = new CountDownLatch(1);
      Thread idleHelper = new Thread(() -> pool.help(() -> {
        try {
          return release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          return true;
        }
      }), "test-idle-helper");
      idleHelper.start();
      try {
        awaitParts(pool, 3);
        AtomicIntegerArray runs = new AtomicIntegerArray(3);
        CountDownLatch staleClaimMade = new CountDownLatch(1);
        pool.run((w, ws) -> {
          runs.incrementAndGet(w);
          try {
            if (w == 0) {
              pool.helpWith(generationOfA);
              staleClaimMade.countDown();
            } else if (w == 1) {
              staleClaimMade.await(10, TimeUnit.SECONDS);
            }
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
        for (int w = 0; w < 3; w++) assertEquals(1, runs.get(w), "part " + w + " of op B");
      } finally {
        release.countDown();
        idleHelper.join(10_000);
      }
    }
  }

  @Test
  void matmulsAndAttentionGiveTheSameBitsHelpedAsAlone() throws Exception {
    Random r = new Random(7);
    int N = 130, B = 2, T = 65, C = 96, NH = 3;
    float[] inp = random(r, N * C), weightUp = random(r, 2 * C * C), weightDown = random(r, 40 * C), bias = random(r, 2 * C);
    float[] doutUp = random(r, N * 2 * C), doutDown = random(r, N * 40), qkv = random(r, B * T * 3 * C), dattOut = random(r, B * T * C);
    float[][] alone;
    try (WorkerPool pool = new WorkerPool(1)) {
      alone = runKernels(pool, inp, weightUp, weightDown, bias, doutUp, doutDown, qkv, dattOut, N, B, T, C, NH);
    }
    String[] names = {"matmul forward", "matmul backward dinp (C < OC)", "dweight by rows", "dbias",
        "matmul backward dinp (C > OC)", "dweight by columns", "attention out", "attention probabilities", "attention dqkv"};
    try (WorkerPool pool = new WorkerPool(1, true)) {
      // first with room for a helper but none in (fewer parts than the scratch is sized for), then helped
      pool.beginOp();
      float[][] unhelped = runKernels(pool, inp, weightUp, weightDown, bias, doutUp, doutDown, qkv, dattOut, N, B, T, C, NH);
      for (int i = 0; i < names.length; i++) assertArrayEquals(alone[i], unhelped[i], names[i] + ", no helper in");
      AtomicBoolean leave = new AtomicBoolean();
      Thread helper = new Thread(() -> pool.help(leave::get), "test-helper");
      helper.start();
      try {
        awaitParts(pool, 2);
        float[][] helped = runKernels(pool, inp, weightUp, weightDown, bias, doutUp, doutDown, qkv, dattOut, N, B, T, C, NH);
        for (int i = 0; i < names.length; i++) assertArrayEquals(alone[i], helped[i], names[i] + ", helped");
      } finally {
        leave.set(true);
        helper.join(10_000);
      }
    }
  }

  // The matmuls both ways (dweight split by rows where C <= OC, by columns where C > OC) and the attention, on pool.
  private static float[][] runKernels(WorkerPool pool, float[] inp, float[] weightUp, float[] weightDown,
      float[] bias, float[] doutUp, float[] doutDown, float[] qkv, float[] dattOut, int N, int B, int T, int C, int NH) {
    CpuMatmul matmul = new CpuMatmul(pool);
    float[] out = new float[N * 2 * C];
    matmul.forward(out, 0, inp, 0, weightUp, 0, bias, 0, N, C, 2 * C);
    float[] dinpUp = new float[N * C], dweightUp = new float[2 * C * C], dbias = new float[2 * C];
    matmul.backward(dinpUp, 0, dweightUp, 0, dbias, 0, doutUp, 0, inp, 0, weightUp, 0, N, C, 2 * C);
    float[] dinpDown = new float[N * C], dweightDown = new float[40 * C];
    matmul.backward(dinpDown, 0, dweightDown, 0, null, 0, doutDown, 0, inp, 0, weightDown, 0, N, C, 40);
    CpuAttention attention = new CpuAttention(pool);
    float[] attOut = new float[B * T * C], att = new float[B * NH * T * T], dqkv = new float[B * T * 3 * C];
    attention.forward(attOut, 0, att, 0, qkv, 0, B, T, C, NH);
    attention.backward(dqkv, 0, dattOut, 0, qkv, 0, att, 0, B, T, C, NH);
    return new float[][] {out, dinpUp, dweightUp, dbias, dinpDown, dweightDown, attOut, att, dqkv};
  }

  /** Calls beginOp until the pool's ops split into {@code parts} (a helper has come in), for up to 10 s. */
  private static void awaitParts(WorkerPool pool, int parts) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    do {
      pool.beginOp();
      if (pool.parts() == parts) return;
      Thread.sleep(1);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("the pool's ops never split into " + parts + " parts");
  }

  private static float[] random(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
    return a;
  }
}
