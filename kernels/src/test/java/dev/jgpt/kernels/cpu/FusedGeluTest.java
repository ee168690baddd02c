package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.FloatBuf;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend fuses GELU's backward into the matmul's (the contract test checks the values):
 * the product goes straight into dpre, so the scratch for GELU's input gradient is never written.
 * Were the fused op to fall back to the two separate ops, the scratch would hold the product.
 */
class FusedGeluTest {
  @Test
  void theBackwardProductNeverPassesThroughTheScratch() {
    int N = 40, C = 64, OC = 24;
    Random rng = new Random(5);
    try (CpuBackend be = new CpuBackend(2)) {
      FloatBuf pre = filled(be, "pre", N * C, rng), inp = filled(be, "inp", N * C, rng);
      FloatBuf dout = filled(be, "dout", N * OC, rng), weight = filled(be, "weight", OC * C, rng);
      FloatBuf dpre = be.allocFloat("dpre", N * C), dweight = be.allocFloat("dweight", OC * C);
      FloatBuf scratch = be.allocFloat("scratch", N * C);
      float[] nan = new float[N * C];
      Arrays.fill(nan, Float.NaN);
      be.write(scratch, 0, nan, 0, nan.length);
      be.matmulBackwardGelu(dpre.all(), scratch.all(), dweight.all(), null, dout.all(), inp.all(), weight.all(),
          pre.all(), N, C, OC);
      float[] after = new float[N * C];
      be.read(scratch, 0, after, 0, after.length);
      for (float f : after) assertTrue(Float.isNaN(f), "the scratch was written");
    }
  }

  /**
   * The contract lets dpre be inp's own memory (the transformer shares them where layers share
   * gradients): inp must be read whole before any row of dpre is written. Wider than deep (C > OC),
   * so that the CPU backend would otherwise split dweight by columns with each part packing its
   * own columns of inp while the other parts already write dpre.
   */
  @Test
  void dpreMayBeTheInputsOwnMemory() {
    dpreOverTheInput(200, 160, 48);
  }

  /**
   * The same with a weight too large for a copy per part ({@link CpuMatmul#OWN_PACK_FLOATS}): dpre
   * and dweight are then both split by columns, each part packing its own columns of W and of inp.
   */
  @Test
  void dpreMayBeTheInputsOwnMemoryWithALargeWeight() {
    dpreOverTheInput(24, 1100, 1000);
  }

  private static void dpreOverTheInput(int N, int C, int OC) {
    for (int threads : new int[] {1, 2, 3}) {
      Random rng = new Random(11);
      try (CpuBackend be = new CpuBackend(threads)) {
        FloatBuf pre = filled(be, "pre", N * C, rng), inp = filled(be, "inp", N * C, rng);
        FloatBuf dout = filled(be, "dout", N * OC, rng), weight = filled(be, "weight", OC * C, rng);
        FloatBuf dpre = be.allocFloat("dpre", N * C), scratch = be.allocFloat("scratch", N * C);
        FloatBuf dweight = be.allocFloat("dweight", OC * C), dweightShared = be.allocFloat("dweight2", OC * C);
        be.matmulBackwardGelu(dpre.all(), scratch.all(), dweight.all(), null, dout.all(), inp.all(), weight.all(),
            pre.all(), N, C, OC);
        // the same with dpre written over inp
        be.matmulBackwardGelu(inp.all(), scratch.all(), dweightShared.all(), null, dout.all(), inp.all(), weight.all(),
            pre.all(), N, C, OC);
        assertArrayEquals(read(be, dpre, N * C), read(be, inp, N * C), "dpre on " + threads + " threads");
        assertArrayEquals(read(be, dweight, OC * C), read(be, dweightShared, OC * C), "dweight on " + threads + " threads");
      }
    }
  }

  private static float[] read(CpuBackend be, FloatBuf b, int n) {
    float[] v = new float[n];
    be.read(b, 0, v, 0, n);
    return v;
  }

  private static FloatBuf filled(CpuBackend be, String name, int n, Random rng) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
    FloatBuf b = be.allocFloat(name, n);
    be.write(b, 0, v, 0, n);
    return b;
  }
}
