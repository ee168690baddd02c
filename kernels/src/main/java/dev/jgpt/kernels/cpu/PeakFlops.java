package dev.jgpt.kernels.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Measures this machine's FP32 peak as the Vector API sees it: every thread runs a loop of
 * independent FMAs on the preferred species (enough chains to cover the FMA latency), all
 * threads started together; the result is total flops over wall time. The ceiling the
 * matmul percentages are quoted against.
 */
public final class PeakFlops {
  private PeakFlops() {}

  /**
   * Independent FMA chains per thread: 10 cover a 4-cycle latency on 2 FMA pipes with room to
   * spare; 12 measured 5-10% lower on AVX2 (C2 runs short of the 16 vector registers).
   */
  private static final int CHAINS = 10;

  /**
   * GFLOP/s of {@code threads} threads each running the FMA loop for about {@code millis} ms;
   * the best of {@code repeats} runs (a ceiling: another process on a core only lowers a run).
   */
  public static double measure(int threads, int millis, int repeats) {
    // Warm-up: let C2 compile the loop before timing it.
    for (int i = 0; i < 3; i++) fmaLoop(200_000);
    long itersPerThread = calibrate(millis);
    double[] results = new double[repeats];
    for (int r = 0; r < repeats; r++) results[r] = runOnce(threads, itersPerThread);
    java.util.Arrays.sort(results);
    return results[repeats - 1];
  }

  private static long calibrate(int millis) {
    long iters = 1_000_000;
    while (true) {
      long t0 = System.nanoTime();
      fmaLoop(iters);
      long dt = System.nanoTime() - t0;
      if (dt > 20_000_000L) return Math.max(1, (long) (iters * (millis * 1e6 / dt)));
      iters *= 4;
    }
  }

  private static double runOnce(int threads, long iters) {
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Thread> ts = new ArrayList<>();
    float[] sink = new float[threads];
    // Each thread times itself: the caller is a third thread on a 2-core machine and may get no
    // core until a worker finishes, so its clock would miss most of the run (it once reported
    // 394,602 GFLOP/s). Wall time = last end - first start.
    long[] starts = new long[threads], ends = new long[threads];
    for (int t = 0; t < threads; t++) {
      int index = t;
      Thread th = new Thread(() -> {
        await(start);
        starts[index] = System.nanoTime();
        sink[index] = fmaLoop(iters);
        ends[index] = System.nanoTime();
      }, "jgpt-peak-" + t);
      th.start();
      ts.add(th);
    }
    for (Thread th : ts) {
      try {
        th.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("peak measurement interrupted", e);
      }
    }
    long first = Long.MAX_VALUE, last = Long.MIN_VALUE;
    for (int t = 0; t < threads; t++) {
      first = Math.min(first, starts[t]);
      last = Math.max(last, ends[t]);
    }
    double flops = 2.0 * CHAINS * Vec.L * iters * threads;
    return flops / (last - first);
  }

  private static void await(CyclicBarrier b) {
    try {
      b.await();
    } catch (Exception e) {
      throw new IllegalStateException("peak measurement: thread start failed", e);
    }
  }

  /** {@code iters} x CHAINS vector FMAs; returns a value so the JIT keeps the work. */
  static float fmaLoop(long iters) {
    FloatVector c = FloatVector.broadcast(Vec.S, 1e-6f);
    FloatVector a0 = FloatVector.broadcast(Vec.S, 1f), a1 = a0.add(1e-7f), a2 = a0.add(2e-7f), a3 = a0.add(3e-7f);
    FloatVector a4 = a0.add(4e-7f), a5 = a0.add(5e-7f), a6 = a0.add(6e-7f), a7 = a0.add(7e-7f);
    FloatVector a8 = a0.add(8e-7f), a9 = a0.add(9e-7f);
    for (long i = 0; i < iters; i++) {
      // m a + c rather than a m + c (the same bits): the chains only as arguments, m made in the
      // loop (hoisted by C2), a known receiver even in a compilation entered mid-loop (see Vec)
      FloatVector m = FloatVector.broadcast(Vec.S, 0.999999f);
      a0 = m.fma(a0, c);
      a1 = m.fma(a1, c);
      a2 = m.fma(a2, c);
      a3 = m.fma(a3, c);
      a4 = m.fma(a4, c);
      a5 = m.fma(a5, c);
      a6 = m.fma(a6, c);
      a7 = m.fma(a7, c);
      a8 = m.fma(a8, c);
      a9 = m.fma(a9, c);
    }
    FloatVector sum = FloatVector.broadcast(Vec.S, -0f).add(a0).add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7)
        .add(a8).add(a9); // -0 + a0 = a0: a known receiver (see Vec)
    return sum.reduceLanes(VectorOperators.ADD);
  }
}
