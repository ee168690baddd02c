package dev.jgpt.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** bf16 narrowing rounds to nearest (ties to even), widening is exact, and packed rows hold column pairs. */
class Bf16Test {
  @Test
  void valuesWithEightSignificantBitsRoundTripExactly() {
    for (float x : new float[] {0f, -0f, 1f, -2.5f, 0.15625f, 3.0e38f, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.MIN_NORMAL}) {
      float exact = Float.intBitsToFloat(Float.floatToRawIntBits(x) & 0xFFFF0000);
      assertEquals(Float.floatToRawIntBits(exact), Float.floatToRawIntBits(Bf16.toFloat(Bf16.fromFloat(exact))), "" + x);
    }
  }

  @Test
  void roundsToNearestAndTiesToEven() {
    // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: the tie goes to the even mantissa (1)
    assertEquals(1f, Bf16.toFloat(Bf16.fromFloat(1f + 0x1p-8f)));
    // 1 + 3 * 2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): up
    assertEquals(1f + 0x1p-6f, Bf16.toFloat(Bf16.fromFloat(1f + 3 * 0x1p-8f)));
    // just above half way rounds up, just below rounds down
    assertEquals(1f + 0x1p-7f, Bf16.toFloat(Bf16.fromFloat(Math.nextUp(1f + 0x1p-8f))));
    assertEquals(1f, Bf16.toFloat(Bf16.fromFloat(Math.nextDown(1f + 0x1p-8f))));
    assertEquals(-1f, Bf16.toFloat(Bf16.fromFloat(-1f - 0x1p-8f)));
    assertTrue(Float.isNaN(Bf16.toFloat(Bf16.fromFloat(Float.NaN))));
    // the largest float rounds to infinity, as IEEE rounding of a too-large value does
    assertEquals(Float.POSITIVE_INFINITY, Bf16.toFloat(Bf16.fromFloat(Float.MAX_VALUE)));
  }

  @Test
  void relativeErrorIsAtMostHalfAnUlpOfEightBits() {
    Random r = new Random(TestSeed.get());
    for (int i = 0; i < 10_000; i++) {
      float x = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(9) - 4));
      float y = Bf16.toFloat(Bf16.fromFloat(x));
      assertTrue(Math.abs(y - x) <= Math.abs(x) * 0x1p-8f, x + " -> " + y);
    }
  }

  @Test
  void packedRowsHoldColumnPairsLowHalfFirstAndPadOddWidths() {
    float[] m = {1f, 2f, 3f, /* row 1 */ -1f, 0.5f, 4f}; // (2, 3) at offset 0
    int[] p = Bf16.packRows(m, 0, 2, 3);
    assertEquals(2 * Bf16.packedCols(3), p.length);
    assertEquals(Bf16.fromFloat(1f) | Bf16.fromFloat(2f) << 16, p[0]);
    assertEquals(Bf16.fromFloat(3f), p[1], "the odd width's last int has 0 in its high half");
    assertEquals(Bf16.fromFloat(-1f) | Bf16.fromFloat(0.5f) << 16, p[2]);
    float[] back = new float[6];
    for (int r = 0; r < 2; r++) for (int c = 0; c < 3; c++) back[r * 3 + c] = Bf16.unpack(p, 0, 3, r, c);
    assertArrayEquals(m, back);
  }
}
