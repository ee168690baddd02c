package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The matmul forward for a few rows (gemv): on both of its paths (four columns at a time for
 * weights that stay in cache, two rows far apart at a time for larger ones, and the odd one left
 * alone), every output is bit-identical to a plain loop of {@link Dot#dot} (in cache) or {@link
 * Dot#dotStreamed} (streamed) plus bias, whatever the thread count (which changes the pairs).
 */
class GemvTest {
  @ParameterizedTest(name = "N={0} C={1} OC={2} bias={3}")
  @CsvSource({
    "1, 64, 130, true", // cached path, OC not a multiple of 4
    "3, 45, 37, false", // C with a vector tail and a scalar tail
    "4, 768, 77, true",
    "1, 700, 400, true", // streamed path: 280,000 floats
    "2, 701, 403, false"})
  void matchesDotLoopOnAnyThreadCount(int N, int C, int OC, boolean withBias) {
    Random r = new Random(N * 31 + C);
    float[] inp = random(r, N * C + 5), weight = random(r, OC * C + 7), bias = withBias ? random(r, OC + 3) : null;
    boolean cached = (long) OC * C <= CpuMatmul.GEMV_CACHED_FLOATS;
    float[] expected = new float[N * OC];
    for (int n = 0; n < N; n++) {
      for (int o = 0; o < OC; o++) {
        float b = bias == null ? 0f : bias[3 + o];
        expected[n * OC + o] = b + (cached ? Dot.dot(inp, 5 + n * C, weight, 7 + o * C, C)
            : Dot.dotStreamed(inp, 5 + n * C, weight, 7 + o * C, C));
      }
    }
    assertTrue(cached == OC * C < 100_000, "the shapes cover both paths");
    for (int threads : new int[] {1, 2, 3}) {
      try (WorkerPool pool = new WorkerPool(threads)) {
        float[] out = new float[N * OC + 2];
        new CpuMatmul(pool).forward(out, 2, inp, 5, weight, 7, bias, 3, N, C, OC);
        float[] got = java.util.Arrays.copyOfRange(out, 2, out.length);
        assertArrayEquals(expected, got, threads + " threads");
      }
    }
  }

  private static float[] random(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
    return a;
  }
}
