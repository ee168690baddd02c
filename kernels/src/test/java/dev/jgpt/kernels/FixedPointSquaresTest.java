package dev.jgpt.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The gradient norm's sum of squares comes out the same float whatever order the terms are added
 * in (what makes the CPU and TornadoVM backends agree bit for bit), and stays within float
 * precision of the exact sum.
 */
class FixedPointSquaresTest {
  final long seed = TestSeed.get();

  @Test
  void theSumDoesNotDependOnTheOrderOfItsTerms() {
    Random rng = new Random(seed);
    float[] x = gaussians(rng, FixedPointSquares.CHUNK, 1e-3f);
    float[] reversed = new float[x.length];
    for (int i = 0; i < x.length; i++) reversed[i] = x[x.length - 1 - i];
    float[] shuffled = x.clone();
    for (int i = shuffled.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      float t = shuffled[i];
      shuffled[i] = shuffled[j];
      shuffled[j] = t;
    }
    float sum = FixedPointSquares.chunkSquares(x, 0, x.length);
    assertEquals(Float.floatToIntBits(sum), Float.floatToIntBits(FixedPointSquares.chunkSquares(reversed, 0, x.length)),
        "seed " + seed);
    assertEquals(Float.floatToIntBits(sum), Float.floatToIntBits(FixedPointSquares.chunkSquares(shuffled, 0, x.length)),
        "seed " + seed);
    float[] squares = new float[x.length], shuffledSquares = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      squares[i] = x[i] * x[i];
      shuffledSquares[i] = shuffled[i] * shuffled[i];
    }
    assertEquals(Float.floatToIntBits(FixedPointSquares.sum(squares, 0, x.length)),
        Float.floatToIntBits(FixedPointSquares.sum(shuffledSquares, 0, x.length)), "seed " + seed);
  }

  @Test
  void theSumIsWithinFloatPrecisionOfTheExactOne() {
    Random rng = new Random(seed);
    for (float scale : new float[] {1e-12f, 1e-4f, 1f, 3e4f}) {
      float[] x = gaussians(rng, 5000, scale);
      x[17] *= 1000f; // one large gradient among small ones
      double exact = 0;
      for (float v : x) exact += (double) (v * v);
      float sum = FixedPointSquares.chunkSquares(x, 0, x.length);
      assertTrue(Math.abs(sum - exact) <= 2 * Math.ulp((float) exact), "scale " + scale + ": " + sum + " vs " + exact
          + ", seed " + seed);
    }
  }

  @Test
  void zerosNaNsAndInfinities() {
    assertEquals(0f, FixedPointSquares.chunkSquares(new float[100], 0, 100));
    assertEquals(0f, FixedPointSquares.sum(new float[3], 0, 3));
    assertTrue(Float.isNaN(FixedPointSquares.chunkSquares(new float[] {1f, Float.NaN, 2f}, 0, 3)));
    assertEquals(Float.POSITIVE_INFINITY, FixedPointSquares.chunkSquares(new float[] {1f, Float.POSITIVE_INFINITY}, 0, 2));
    assertEquals(Float.POSITIVE_INFINITY, FixedPointSquares.chunkSquares(new float[] {1e30f, 1f}, 0, 2)); // square overflows
    assertEquals(25f, FixedPointSquares.chunkSquares(new float[] {3f, 4f}, 0, 2));
  }

  @Test
  void theScaleIsAPowerOfTwoPuttingTheLargestTermJustBelow2To26() {
    for (float max : new float[] {Float.MIN_VALUE, 1e-20f, 0.37f, 1f, 5e11f, 1e29f}) {
      float k = FixedPointSquares.scaleFor(max);
      assertEquals(0, Float.floatToIntBits(k) & 0x7fffff, "power of two for " + max);
      assertEquals(1f, k * FixedPointSquares.inverseOf(k), "inverse of " + k);
      if (max >= 1e-20f) { // below 2^-75 the scale stops at 2^100: fewer bits, still exact and order-free
        assertTrue(max * k >= FixedPointSquares.TWO_POW_25 && max * k < FixedPointSquares.TWO_POW_26, "max " + max);
      }
    }
  }

  @Test
  void fixedPointKeepsTheWholePartAndSixteenFractionBits() {
    assertEquals(0L, FixedPointSquares.fixed(0f));
    assertEquals(3L * 65536 + 32768, FixedPointSquares.fixed(3.5f));
    assertEquals((long) (FixedPointSquares.TWO_POW_26 - 4) * 65536, FixedPointSquares.fixed(FixedPointSquares.TWO_POW_26 - 4));
    assertEquals(1L, FixedPointSquares.fixed(1f / 65536));
    assertEquals(0L, FixedPointSquares.fixed(1f / 65537)); // truncated
  }

  private static float[] gaussians(Random rng, int n, float scale) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = scale * (float) rng.nextGaussian();
    return x;
  }
}
