package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * A product whose B is packed during the run ({@link Gemm.Product#packedBy}): every panel packed
 * exactly once, by whichever worker gets to it first, and the product the same bits as with B
 * packed beforehand, run after run (the workers race differently each time).
 */
class LazyPanelPackingTest {
  @Test
  void everyPanelIsPackedOnceAndTheProductIsTheOneOfBPackedFirst() {
    // 100 rows: a ragged last row tile; K = 300: two K blocks; a ragged last column panel
    int M = 100, K = 300, n = 7 * Gemm.NR + 5, panels = Gemm.panels(n);
    Random rng = new Random(11);
    float[] a = gaussian(rng, M * K), b = gaussian(rng, K * n), bias = gaussian(rng, n); // a (M,K), b (K,n), bias (n)
    float[] packedFirst = new float[(int) Gemm.packedSize(K, n)];
    Packing.packRows(b, 0, n, n, K, packedFirst, 0, panels);
    try (WorkerPool pool = new WorkerPool(3)) {
      Gemm gemm = new Gemm(pool);
      float[] expected = new float[M * n]; // (M,n)
      gemm.run(new Gemm.Product().set(M, n, K, a, 0, K, 1, packedFirst, expected, 0, n, false, bias, 0));

      float[] packedDuring = new float[packedFirst.length];
      AtomicIntegerArray packs = new AtomicIntegerArray(panels); // (panels) times each was packed
      Gemm.PanelPacker packer = (p0, p1) -> {
        for (int p = p0; p < p1; p++) packs.incrementAndGet(p);
        Packing.packRows(b, 0, n, n, K, packedDuring, p0, p1);
      };
      Gemm.Product product = new Gemm.Product();
      for (int run = 0; run < 30; run++) {
        Arrays.fill(packedDuring, Float.NaN);
        for (int p = 0; p < panels; p++) packs.set(p, 0);
        float[] c = new float[M * n];
        Arrays.fill(c, Float.NaN);
        gemm.run(product.set(M, n, K, a, 0, K, 1, packedDuring, c, 0, n, false, bias, 0).packedBy(packer));
        for (int p = 0; p < panels; p++) assertEquals(1, packs.get(p), "panel " + p + ", run " + run);
        assertArrayEquals(expected, c, "run " + run);
      }
    }
  }

  private static float[] gaussian(Random rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
    return v;
  }
}
