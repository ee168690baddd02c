package dev.jgpt.cli;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.FloatBuf;
import java.util.Arrays;
import java.util.Random;

/**
 * Times kernels through the Backend SPI: buffers allocated on the backend and filled with
 * random values, a warm-up (JIT, scratch growth), then {@code repeat} timed calls; each call ends
 * with a one-float read so an asynchronous backend is timed to completion. Returns medians.
 */
final class BenchKernelsTimer {
  /** Warm-up lasts at least this long and at least MIN_WARMUP_CALLS calls. */
  private static final long WARMUP_NANOS = 300_000_000L;
  private static final int MIN_WARMUP_CALLS = 5;

  private final Backend be;
  private final int repeat;
  private final Random rng = new Random(1);
  private final float[] syncSink = new float[1];

  BenchKernelsTimer(Backend be, int repeat) {
    this.be = be;
    this.repeat = repeat;
  }

  /** A backend buffer of n floats, Gaussian values times scale. */
  FloatBuf random(String name, int n, float scale) {
    return random(name, n, scale, BufferKind.ACTIVATIONS);
  }

  /** As {@link #random(String, int, float)}, allocated as kind (weights: PARAMETERS, as the model does). */
  FloatBuf random(String name, int n, float scale, BufferKind kind) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = scale * (float) rng.nextGaussian();
    FloatBuf b = be.allocFloat(name, n, kind);
    be.write(b, 0, x, 0, n);
    return b;
  }

  /** Runs op (then reads sync) for the warm-up: JIT compilation, scratch growth. */
  void warmUp(Runnable op, FloatBuf sync) {
    long warmStart = System.nanoTime();
    for (int i = 0; i < MIN_WARMUP_CALLS || System.nanoTime() - warmStart < WARMUP_NANOS; i++) {
      op.run();
      be.read(sync, 0, syncSink, 0, 1);
    }
  }

  /** Median wall time of one call of op after its warm-up, in nanoseconds; sync is read after each call. */
  double medianNanos(Runnable op, FloatBuf sync) {
    warmUp(op, sync);
    long[] times = new long[repeat];
    for (int r = 0; r < repeat; r++) {
      long t0 = System.nanoTime();
      op.run();
      be.read(sync, 0, syncSink, 0, 1);
      times[r] = System.nanoTime() - t0;
    }
    Arrays.sort(times);
    return repeat % 2 == 1 ? times[repeat / 2] : 0.5 * (times[repeat / 2 - 1] + times[repeat / 2]);
  }
}
