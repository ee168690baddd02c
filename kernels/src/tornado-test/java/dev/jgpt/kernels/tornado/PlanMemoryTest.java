package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each step plan keeps its own device copy of the arena. With room for two copies, a third step
 * kind closes the least recently used plan first; its step compiles again when it next runs, and
 * the arena's contents come through every switch unchanged.
 */
class PlanMemoryTest {
  static final int N = 256;

  @Test
  void aPlanThatWouldNotFitClosesTheLeastRecentlyUsedOne() {
    TornadoDevices.Entry device = TornadoDevices.all().get(Integer.getInteger("jgpt.tornado.device", 0));
    Arena arena = new Arena();
    Stats stats = new Stats();
    Residency residency = new Residency(arena, stats);
    int x = arena.reserveFloats(BufferKind.ACTIVATIONS, N, "x");
    int y = arena.reserveFloats(BufferKind.ACTIVATIONS, N, "y");
    long copy = 4L * 2 * N + 3 * 4 + 4; // the activations, one float of each other kind, the one-int int arena
    Plans plans = new Plans(device.device(), device.name(), new DeviceMemory(Long.MAX_VALUE, 2 * copy + 100), arena,
        stats, residency, false, false, line -> {});
    try {
      float[] ones = new float[N];
      java.util.Arrays.fill(ones, 1f);
      arena.writeFloats(BufferKind.ACTIVATIONS, y, ones, 0, N);
      StepProgram a = step("a", x, y); // x += y
      StepProgram b = step("b", y, x); // y += x
      StepProgram c = step("c", x, x + N / 2, N / 2); // x[0..N/2) += x[N/2..N)
      plans.runRecorded(a); // x = 1, y = 1 (host)
      plans.runReplay(a); // x = 2: plan [a]
      plans.runRecorded(b); // y = 3 (host)
      plans.runReplay(b); // y = 5: plan [b], two copies
      plans.runRecorded(c); // x = 4 in the first half (host)
      plans.runReplay(c); // x = 6: a third copy does not fit, plan [a] is closed
      plans.runReplay(a); // x = 11 / 7: a compiles again, plan [b] is closed
      plans.runReplay(b); // y = 16 / 12
      residency.ensureHostCurrent();
      float[] xs = new float[N], ys = new float[N];
      arena.readFloats(BufferKind.ACTIVATIONS, x, xs, 0, N);
      arena.readFloats(BufferKind.ACTIVATIONS, y, ys, 0, N);
      float[] wantX = new float[N], wantY = new float[N];
      for (int i = 0; i < N; i++) {
        wantX[i] = i < N / 2 ? 11f : 7f;
        wantY[i] = i < N / 2 ? 16f : 12f;
      }
      assertArrayEquals(wantX, xs);
      assertArrayEquals(wantY, ys);
      assertEquals(Map.of("a", 2, "b", 2, "c", 1), stats.compilations);
    } finally {
      plans.close();
    }
  }

  private static StepProgram step(String name, int dst, int src) {
    return step(name, dst, src, N);
  }

  private static StepProgram step(String name, int dst, int src, int n) {
    StepProgram s = new StepProgram(name);
    s.launches.add(ElementwiseKernels.launchAccumulate(BufferKind.ACTIVATIONS, dst, src, n));
    return s;
  }
}
