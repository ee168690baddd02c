package dev.jgpt.kernels.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * AdamW's bias correction 1 - beta^t, computed without fp64 by the device kernel, gives the very
 * float the CPU backend gets from doubles, for every step a long run reaches: an ulp off here
 * shows up as CPU/device train-loss drift (TornadoParityTest).
 */
class BiasCorrectionTest {
  @Test
  void matchesTheCpuBackendsDoubleArithmeticBitForBit() {
    float[] betas = {0.9f, 0.95f, 0.99f, 0.999f, 0.9999f, 0.5f, 0.8f, 0f, 1f};
    for (float beta : betas) {
      for (int t = 1; t <= 200_000; t++) {
        float cpu = (float) (1.0 - StrictMath.pow(beta, t));
        float device = OptimizerKernels.oneMinusPow(beta, t);
        if (Float.floatToIntBits(cpu) != Float.floatToIntBits(device)) {
          assertEquals(cpu, device, 0f, "beta " + beta + " t " + t);
        }
      }
    }
  }

  @Test
  void fixedPointProductTruncatesTheExactProduct() {
    long one = 1L << 62;
    assertEquals(one, OptimizerKernels.mulFixed62(one, one));
    assertEquals(12345L, OptimizerKernels.mulFixed62(one, 12345L));
    long half = 1L << 61;
    assertEquals(1L << 60, OptimizerKernels.mulFixed62(half, half));
    long a = 0x2fedcba987654321L, b = 0x3123456789abcdefL;
    long exact = java.math.BigInteger.valueOf(a).multiply(java.math.BigInteger.valueOf(b)).shiftRight(62).longValueExact();
    long got = OptimizerKernels.mulFixed62(a, b);
    // the low partial product is shifted before the sum: at most one unit below the exact floor
    org.junit.jupiter.api.Assertions.assertTrue(exact - got >= 0 && exact - got <= 1, exact + " vs " + got);
  }
}
