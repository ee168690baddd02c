package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import org.junit.jupiter.api.Test;

/**
 * RowOps on every row length from 1 to 70 (shorter than a vector, whole vectors, a partial last
 * vector) at several offsets and at the very end of an array: against double-precision
 * references, against the separate masked tail the kernels had before their single masked pass,
 * and element by element against themselves across lengths.
 */
class RowOpsTailTest {
  static final int MAX_N = 70;
  static final int[] OFFSETS = {0, 1, 5, 11};

  // MAX_N random values around 0 with spread 6 (softmax logits scaled by 1/sqrt(hs) or so)
  private static float[] logits(long seed) {
    Random rng = new Random(seed);
    float[] x = new float[MAX_N + 16];
    for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian() * 6f;
    return x;
  }

  /**
   * Sum of exp((x - shift) * scale) as the kernels computed it before: whole vectors in a loop,
   * then a separate masked tail, into lane sums that are added left to right from 0.
   */
  private static float oldMaskedTailExpSum(float[] x, int xo, float shift, float scale, int n) {
    FloatVector acc = FloatVector.zero(Vec.S);
    int i = 0;
    for (; i + Vec.L <= n; i += Vec.L) {
      acc = acc.add(VectorMath.expNonPositive(FloatVector.fromArray(Vec.S, x, xo + i).sub(shift).mul(scale)));
    }
    if (i < n) {
      VectorMask<Float> tail = Vec.S.indexInRange(i, n);
      FloatVector v = FloatVector.fromArray(Vec.S, x, xo + i, tail).sub(shift).mul(scale);
      acc = acc.add(VectorMath.expNonPositive(v), tail);
    }
    float s = 0f;
    for (int j = 0; j < Vec.L; j++) s += acc.lane(j);
    return s;
  }

  @Test
  void expShiftedSumMatchesDoublePrecisionAndTheOldKernelBitForBit() {
    float[] x = logits(1), out = new float[x.length];
    for (int xo : OFFSETS) {
      for (int n = 1; n + xo <= x.length && n <= MAX_N; n++) {
        float max = RowOps.max(x, xo, n);
        float sum = RowOps.expShiftedSum(x, xo, max, 0.25f, out, 1, n);
        double exact = 0;
        for (int i = 0; i < n; i++) exact += Math.exp(((double) x[xo + i] - max) * 0.25);
        String at = "n=" + n + " xo=" + xo;
        assertEquals(exact, sum, 1e-6 * exact, at + " vs double");
        // same lanes, same exp, same order: the single masked pass changed where vectors are boxed, not values
        assertEquals(oldMaskedTailExpSum(x, xo, max, 0.25f, n), sum, at + " vs the old kernel");
        float[] inPlace = x.clone();
        assertEquals(sum, RowOps.expShiftedSum(inPlace, xo, max, 0.25f, inPlace, xo, n), at + " in place");
        for (int i = 0; i < n; i++) assertEquals(out[1 + i], inPlace[xo + i], at + " in place, i=" + i);
        float unscaled = RowOps.expShiftedSum(x, xo, max, out, 1, n);
        assertEquals(unscaled, RowOps.expShiftedSum(x, xo, max, n), at + " without the store");
        assertEquals(oldMaskedTailExpSum(x, xo, max, 1f, n), unscaled, at + " unscaled vs the old kernel");
      }
    }
  }

  @Test
  void rowsThatEndAtTheEndOfTheArray() {
    float[] x = logits(6);
    for (int n = 1; n <= MAX_N; n++) {
      float[] row = java.util.Arrays.copyOf(x, n); // no room past the row: the masked loads and stores must stay inside
      float max = Float.NEGATIVE_INFINITY;
      for (float v : row) max = Math.max(max, v);
      assertEquals(max, RowOps.max(row, 0, n), "max n=" + n);
      float[] expected = row.clone();
      float sum = RowOps.expShiftedSum(expected, 0, max, 0.5f, expected, 0, n);
      for (int i = 0; i < n; i++) expected[i] *= 1f / sum;
      RowOps.softmaxInPlace(row, 0, n, 0.5f);
      for (int i = 0; i < n; i++) assertEquals(expected[i], row[i], "softmax n=" + n + " i=" + i);
    }
  }

  @Test
  void expShiftedSumRepeatsVectorMathExpBitForBit() {
    // RowOps writes the exp steps out in its loop; they must stay those of VectorMath.expNonPositive
    float[] x = ScalarTwinTest.sweep();
    float[] out = new float[x.length];
    RowOps.expShiftedSum(x, 0, 0f, 1f, out, 0, x.length);
    float[] lanes = new float[x.length];
    for (int i = 0; i < x.length; i += Vec.L) {
      VectorMath.expNonPositive(FloatVector.fromArray(Vec.S, x, i)).intoArray(lanes, i);
    }
    for (int i = 0; i < x.length; i++) {
      if (Float.floatToIntBits(out[i]) != Float.floatToIntBits(lanes[i])) {
        fail("exp(" + x[i] + "): RowOps " + out[i] + ", VectorMath " + lanes[i]);
      }
    }
  }

  @Test
  void eachExpValueIsTheSameInWholeAndPartialVectors() {
    float[] x = logits(2);
    float shift = RowOps.max(x, 3, MAX_N);
    float[] full = new float[MAX_N];
    RowOps.expShiftedSum(x, 3, shift, 0.125f, full, 0, MAX_N);
    for (int n = 1; n <= MAX_N; n++) {
      float[] prefix = new float[n];
      RowOps.expShiftedSum(x, 3, shift, 0.125f, prefix, 0, n);
      for (int i = 0; i < n; i++) {
        if (Float.floatToRawIntBits(prefix[i]) != Float.floatToRawIntBits(full[i])) {
          fail("element " + i + " of a row of " + n + ": " + prefix[i] + ", in a row of " + MAX_N + ": " + full[i]);
        }
      }
    }
  }

  @Test
  void softmaxRowsSumToOneAndMatchDoublePrecision() {
    float[] x = logits(3);
    for (int xo : OFFSETS) {
      for (int n = 1; n + xo <= x.length && n <= MAX_N; n++) {
        float[] row = x.clone();
        RowOps.softmaxInPlace(row, xo, n, 0.5f);
        double max = Double.NEGATIVE_INFINITY, z = 0, total = 0;
        for (int i = 0; i < n; i++) max = Math.max(max, x[xo + i]);
        for (int i = 0; i < n; i++) z += Math.exp((x[xo + i] - max) * 0.5);
        for (int i = 0; i < n; i++) {
          assertEquals(Math.exp((x[xo + i] - max) * 0.5) / z, row[xo + i], 1e-6, "n=" + n + " xo=" + xo + " i=" + i);
          total += row[xo + i];
        }
        assertEquals(1.0, total, 2e-6, "row sum n=" + n);
        for (int i = 0; i < row.length; i++) {
          if (i < xo || i >= xo + n) assertEquals(x[i], row[i], "written outside the row at " + i);
        }
      }
    }
  }

  @Test
  void maxSumScaleAndDotOnEveryLength() {
    float[] x = logits(4), y = logits(5);
    for (int xo : OFFSETS) {
      for (int n = 1; n + xo <= x.length && n <= MAX_N; n++) {
        float max = Float.NEGATIVE_INFINITY;
        double sum = 0, dot = 0, magnitude = 0;
        for (int i = 0; i < n; i++) {
          max = Math.max(max, x[xo + i]);
          sum += x[xo + i];
          dot += (double) x[xo + i] * y[i];
          magnitude += Math.abs(x[xo + i]) * (1 + Math.abs(y[i]));
        }
        String at = "n=" + n + " xo=" + xo;
        assertEquals(max, RowOps.max(x, xo, n), at);
        assertEquals(sum, RowOps.sum(x, xo, n), 1e-6 * magnitude, at);
        assertEquals(dot, Dot.dot(x, xo, y, 0, n), 1e-6 * magnitude, at);
        float[] scaled = x.clone();
        RowOps.scale(scaled, xo, 0.37f, n);
        for (int i = 0; i < x.length; i++) {
          float expected = i >= xo && i < xo + n ? x[i] * 0.37f : x[i];
          assertEquals(expected, scaled[i], at + " i=" + i);
        }
      }
    }
  }
}
