package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

  /**
   * runEach's parts may wait for one another (a thread runs a second part only after its first has
   * returned): here part 0 waits for part 1, in the first task of a fresh pool, published before its
   * worker thread has first run. A worker that started from the generation current when it first ran missed that task,
   * and part 0 waited for ever (a data-parallel step hung); with the bug this fails in the first
   * few pools.
   */
  @Test
  void runEachRunsEveryPartOnAThreadOfItsOwnFromAPoolsFirstTask() {
    for (int round = 0; round < 100; round++) {
      try (WorkerPool pool = new WorkerPool(2)) {
        CountDownLatch secondRan = new CountDownLatch(1);
        pool.runEach(2, (w, ws) -> {
          if (w == 1) {
            secondRan.countDown();
          } else {
            try {
              assertTrue(secondRan.await(10, TimeUnit.SECONDS), "part 1 never ran while part 0 waited for it");
            } catch (InterruptedException e) {
              throw new AssertionError(e);
            }
          }
        });
      }
    }
  }

  @Test
  void runEachTakesNoMorePartsThanThreads() {
    try (WorkerPool pool = new WorkerPool(2)) {
      assertThrows(IllegalArgumentException.class, () -> pool.runEach(3, (w, ws) -> {}));
      AtomicIntegerArray seen = new AtomicIntegerArray(2);
      pool.runEach(1, (w, ws) -> seen.incrementAndGet(w));
      assertEquals(1, seen.get(0));
      assertEquals(0, seen.get(1));
    }
  }

  @Test
  void everyWorkerRunsEachTaskOnceAndRangesCoverEverything() {
    try (WorkerPool pool = new WorkerPool(3)) {
      for (int round = 0; round < 200; round++) {
        AtomicIntegerArray seen = new AtomicIntegerArray(3);
        pool.run((w, ws) -> seen.incrementAndGet(w));
        for (int w = 0; w < 3; w++) assertEquals(1, seen.get(w));
        AtomicIntegerArray withArgs = new AtomicIntegerArray(3);
        pool.run(withArgs, (a, w, ws) -> a.incrementAndGet(w));
        for (int w = 0; w < 3; w++) assertEquals(1, withArgs.get(w), "worker " + w + " got the op's arguments");
        int n = 1 + round * 7;
        AtomicIntegerArray covered = new AtomicIntegerArray(n);
        pool.forRange(n, 1, covered, (c, from, to) -> {
          for (int i = from; i < to; i++) c.incrementAndGet(i);
        });
        for (int i = 0; i < n; i++) assertEquals(1, covered.get(i), "element " + i + " of " + n);
      }
    }
  }

  @Test
  void alignedRangesStartAtMultiplesOfTheAlignment() {
    try (WorkerPool pool = new WorkerPool(3)) {
      int n = 1000;
      int[] owner = new int[n];
      pool.forAlignedRange(n, 8, 1, owner, (o, from, to) -> {
        assertEquals(0, from % 8, "range start " + from);
        for (int i = from; i < to; i++) o[i]++;
      });
      int[] ones = new int[n];
      java.util.Arrays.fill(ones, 1);
      assertArrayEquals(ones, owner);
    }
  }

  @Test
  void aFailureInAWorkerReachesTheCallerAndThePoolStaysUsable() {
    try (WorkerPool pool = new WorkerPool(2)) {
      var e = assertThrows(IllegalArgumentException.class, () -> pool.run((w, ws) -> {
        if (w == 1) throw new IllegalArgumentException("worker 1 failed");
      }));
      assertEquals("worker 1 failed", e.getMessage());
      AtomicIntegerArray seen = new AtomicIntegerArray(2);
      pool.run((w, ws) -> seen.incrementAndGet(w));
      assertEquals(1, seen.get(1));
    }
  }

  @Test
  void theCallerRunsAPartWhoseWorkerIsSlowToArrive() throws InterruptedException {
    // Idle for a millisecond, the worker parks; waking it takes far longer than the caller's
    // empty part 0, so the caller claims part 1 too instead of waiting for the scheduler.
    try (WorkerPool pool = new WorkerPool(2)) {
      Thread caller = Thread.currentThread();
      Thread[] ranPart = new Thread[2];
      boolean callerRanBoth = false;
      for (int round = 0; round < 200 && !callerRanBoth; round++) {
        Thread.sleep(1);
        pool.run((w, ws) -> ranPart[w] = Thread.currentThread());
        callerRanBoth = ranPart[0] == caller && ranPart[1] == caller;
      }
      assertTrue(callerRanBoth, "the caller never ran the parked worker's part");
    }
  }

  @Test
  void partsRunOnceEachAcrossTheGenerationWrapAround() {
    try (WorkerPool pool = new WorkerPool(3, false, 0xFFFF_FFFFL - 50)) {
      for (int round = 0; round < 100; round++) {
        AtomicIntegerArray seen = new AtomicIntegerArray(3);
        pool.run((w, ws) -> seen.incrementAndGet(w));
        for (int w = 0; w < 3; w++) assertEquals(1, seen.get(w), "part " + w + " in round " + round);
      }
    }
  }

  @Test
  void aClosedPoolRefusesWork() {
    WorkerPool pool = new WorkerPool(2);
    pool.close();
    var e = assertThrows(IllegalStateException.class, () -> pool.run((w, ws) -> {}));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }
}
