package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.FixedPointSquares;
import dev.jgpt.kernels.TestSeed;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vector form of the gradient norm's chunk sum gives the scalar form's float bit for bit (the
 * TornadoVM kernels run the scalar form), for every length around the vector width and the int
 * block, every magnitude, and the chunks the scalar path keeps (zeros, NaN, infinity, overflow).
 */
class VectorSquaresTest {
  final Random rng = new Random(TestSeed.get());

  @Test
  void equalsTheScalarSumBitForBit() {
    int block = VectorSquares.INT_BLOCK * Vec.L;
    int[] lengths = {1, Vec.L - 1, Vec.L, Vec.L + 1, 3 * Vec.L + 5, block - 1, block, block + Vec.L + 3, 5000,
        FixedPointSquares.CHUNK - 1, FixedPointSquares.CHUNK};
    float[] scales = {1e-30f, 1e-6f, 1e-3f, 1f, 37f, 1e6f, 1e12f};
    for (int n : lengths) {
      for (float scale : scales) {
        float[] x = new float[n + 7];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian() * scale;
        for (int offset : new int[] {0, 3}) assertSame(x, offset, n, "n=" + n + " scale=" + scale + " at " + offset);
      }
    }
  }

  @Test
  void oneLargeValueAmongSmallOnesStillMatches() {
    float[] x = new float[FixedPointSquares.CHUNK];
    for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian() * 1e-4f;
    x[1234] = 50f; // scales the chunk so that most terms lose their last bits, identically in both forms
    assertSame(x, 0, x.length, "one spike");
  }

  @Test
  void chunksTheScalarPathKeepsGiveItsValue() {
    float[] zeros = new float[300];
    assertEquals(0f, VectorSquares.chunkSquares(zeros, 0, zeros.length));

    float[] nan = gaussians(300);
    nan[77] = Float.NaN;
    assertTrue(Float.isNaN(VectorSquares.chunkSquares(nan, 0, nan.length)));

    float[] inf = gaussians(300);
    inf[299] = Float.NEGATIVE_INFINITY; // in the scalar tail for some widths, in a vector for others
    assertEquals(Float.POSITIVE_INFINITY, VectorSquares.chunkSquares(inf, 0, inf.length));

    float[] huge = gaussians(300);
    huge[5] = 3e20f; // its square, 9e40, overflows float: the plain sum (infinity) is the answer
    assertSame(huge, 0, huge.length, "overflowing square");
    float[] large = gaussians(300);
    large[5] = 2e15f; // square 4e30 > 2^100: the plain float sum, in the scalar order
    assertSame(large, 0, large.length, "square above 2^100");
  }

  @Test
  void theLargestSquareIsFoundAsFloatMaxFindsIt() {
    int n = 40 * Vec.L;
    for (float scale : new float[] {0f, 1e-30f, 1e-3f, 1f, 1e15f, 1e30f}) {
      float[] x = gaussians(n);
      float expected = 0f;
      for (int i = 0; i < n; i++) {
        x[i] *= scale; // squares from +0 and subnormal up to infinity
        expected = Math.max(expected, x[i] * x[i]);
      }
      assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(VectorSquares.largestSquare(x, 0, n)),
          "scale " + scale);
    }
  }

  @Test
  void aNaNWithItsSignBitSetStillMakesTheChunkNaN() {
    float negativeNaN = Float.intBitsToFloat(0xFFC0_0000);
    for (int at : new int[] {0, Vec.L + 3, 299}) { // in a vector, and for some widths in the scalar tail
      float[] x = gaussians(300);
      x[at] = negativeNaN;
      assertTrue(Float.isNaN(VectorSquares.largestSquare(x, 0, Vec.loopBound(300))) || at >= Vec.loopBound(300));
      assertTrue(Float.isNaN(VectorSquares.chunkSquares(x, 0, x.length)), "NaN at " + at);
    }
  }

  private float[] gaussians(int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian();
    return x;
  }

  private static void assertSame(float[] x, int offset, int n, String what) {
    float scalar = FixedPointSquares.chunkSquares(x, offset, n);
    float vector = VectorSquares.chunkSquares(x, offset, n);
    assertEquals(Float.floatToRawIntBits(scalar), Float.floatToRawIntBits(vector),
        what + ": scalar " + scalar + ", vector " + vector);
  }
}
