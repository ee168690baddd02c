package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The attention rows' softmax and its backward pass against double precision, for every causal
 * row length n of rows of T: whole-vector rows (T a multiple of the vector length, the fast path)
 * and the others. What lies past n (scores above the diagonal, computed with the row's tile) must
 * not leak into the result, and is left exactly zero. The bits are those of the row ops and of a
 * scalar loop (training runs are reproducible across versions).
 */
class CausalSoftmaxTest {
  private static final float SCALE = 0.17677669f; // 1/sqrt(32)

  @ParameterizedTest(name = "T={0}")
  @ValueSource(ints = {8, 16, 24, 32, 40, 64, 80})
  void forwardRowIsTheSoftmaxOfTheFirstNScoresAndZeroAfter(int T) {
    Random random = new Random(T);
    for (int n = 1; n <= T; n++) {
      float[] att = new float[T + 3];
      int ao = 3; // not vector-aligned
      for (int j = 0; j < T; j++) att[ao + j] = j < n ? (float) (random.nextGaussian() * 8) : 1e30f; // past n: huge
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) max = Math.max(max, att[ao + j]);
      double[] expected = new double[n];
      double sum = 0;
      for (int j = 0; j < n; j++) sum += expected[j] = Math.exp((att[ao + j] - max) * SCALE);
      float[] rowOps = java.util.Arrays.copyOfRange(att, ao, ao + n);
      RowOps.softmaxInPlace(rowOps, 0, n, SCALE);
      CausalSoftmax.rows(att, ao, n, 1, T, SCALE, new float[CausalSoftmax.scratchSize(1)]);
      for (int j = 0; j < n; j++) {
        assertEquals(Float.floatToIntBits(rowOps[j]), Float.floatToIntBits(att[ao + j]), "T=" + T + " n=" + n + " j=" + j
            + ": the bits of the row ops");
      }
      for (int j = 0; j < n; j++) assertEquals(expected[j] / sum, att[ao + j], 1e-6, "T=" + T + " n=" + n + " j=" + j);
      for (int j = n; j < T; j++) {
        assertEquals(0, Float.floatToRawIntBits(att[ao + j]), "T=" + T + " n=" + n + " j=" + j + " past the row");
      }
    }
  }

  /**
   * A whole causal (T,T) block taken in tiles of several rows, as attention does (the rows of a
   * tile go through the passes together): every row has the bits the row ops give it alone,
   * whatever the tile height, and the scratch left by one tile does not leak into the next.
   */
  @ParameterizedTest(name = "T={0}")
  @ValueSource(ints = {16, 24, 40, 64, 80})
  void tilesOfRowsHaveTheBitsOfEachRowAlone(int T) {
    Random random = new Random(200 + T);
    for (int tileRows : new int[] {1, 3, Gemm.MR}) {
      float[] att = new float[5 + T * T];
      int ao = 5;
      for (int i = ao; i < att.length; i++) att[i] = (float) (random.nextGaussian() * 8);
      float[] expected = att.clone();
      for (int t = 0; t < T; t++) {
        RowOps.softmaxInPlace(expected, ao + t * T, t + 1, SCALE);
        java.util.Arrays.fill(expected, ao + t * T + t + 1, ao + (t + 1) * T, 0f);
      }
      float[] sums = new float[CausalSoftmax.scratchSize(tileRows)];
      java.util.Arrays.fill(sums, Float.NaN); // what a previous shape may have left
      for (int t0 = 0; t0 < T; t0 += tileRows) {
        CausalSoftmax.rows(att, ao + t0 * T, t0 + 1, Math.min(tileRows, T - t0), T, SCALE, sums);
      }
      for (int i = ao; i < att.length; i++) {
        int t = (i - ao) / T, j = (i - ao) % T;
        assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(att[i]),
            "T=" + T + " tile rows " + tileRows + " row " + t + " column " + j);
      }
    }
  }

  @ParameterizedTest(name = "T={0}")
  @ValueSource(ints = {8, 16, 24, 32, 40, 64, 80})
  void backwardRowIsTheSoftmaxGradientAndZeroAfter(int T) {
    Random random = new Random(100 + T);
    for (int n = 1; n <= T; n++) {
      float[] att = new float[T + 1], dpre = new float[T + 5];
      int ao = 1, d = 5;
      float total = 0;
      for (int j = 0; j < n; j++) total += att[ao + j] = random.nextFloat() + 0.01f;
      for (int j = 0; j < n; j++) att[ao + j] /= total; // a probability row, zero past n as the forward leaves it
      for (int j = 0; j < T; j++) dpre[d + j] = (float) random.nextGaussian() * (j < n ? 1 : 1e6f); // datt
      double dot = 0;
      for (int j = 0; j < n; j++) dot += (double) att[ao + j] * dpre[d + j];
      double[] expected = new double[n];
      for (int j = 0; j < n; j++) expected[j] = att[ao + j] * (dpre[d + j] - dot) * SCALE;
      float attDotDatt = Dot.dot(att, ao, dpre, d, n);
      float[] scalar = new float[n];
      for (int j = 0; j < n; j++) scalar[j] = att[ao + j] * (dpre[d + j] - attDotDatt) * SCALE;
      CausalSoftmax.backwardRows(att, ao, dpre, d, n, 1, T, SCALE, new float[1]);
      for (int j = 0; j < n; j++) {
        assertEquals(Float.floatToIntBits(scalar[j]), Float.floatToIntBits(dpre[d + j]), "T=" + T + " n=" + n + " j=" + j
            + ": the bits of a scalar loop");
      }
      for (int j = 0; j < n; j++) assertEquals(expected[j], dpre[d + j], 1e-6, "T=" + T + " n=" + n + " j=" + j);
      for (int j = n; j < T; j++) {
        assertEquals(0, Float.floatToRawIntBits(dpre[d + j]), "T=" + T + " n=" + n + " j=" + j + " past the row");
      }
    }
  }

  /** The backward pass over a whole causal block in tiles of several rows: each row's bits as alone. */
  @ParameterizedTest(name = "T={0}")
  @ValueSource(ints = {16, 24, 40, 64, 80})
  void backwardTilesOfRowsHaveTheBitsOfEachRowAlone(int T) {
    Random random = new Random(300 + T);
    for (int tileRows : new int[] {1, 3, Gemm.MR}) {
      float[] att = new float[2 + T * T], dpre = new float[7 + T * T];
      int ao = 2, d = 7;
      for (int t = 0; t < T; t++) {
        float total = 0;
        for (int j = 0; j <= t; j++) total += att[ao + t * T + j] = random.nextFloat() + 0.01f;
        for (int j = 0; j <= t; j++) att[ao + t * T + j] /= total;
      }
      for (int i = d; i < dpre.length; i++) dpre[i] = (float) random.nextGaussian();
      float[] expected = dpre.clone();
      for (int t = 0; t < T; t++) {
        int row = d + t * T;
        float attDotDatt = Dot.dot(att, ao + t * T, expected, row, t + 1);
        for (int j = 0; j <= t; j++) expected[row + j] = att[ao + t * T + j] * (expected[row + j] - attDotDatt) * SCALE;
        java.util.Arrays.fill(expected, row + t + 1, row + T, 0f);
      }
      float[] dots = new float[tileRows];
      for (int t0 = 0; t0 < T; t0 += tileRows) {
        CausalSoftmax.backwardRows(att, ao + t0 * T, dpre, d + t0 * T, t0 + 1, Math.min(tileRows, T - t0), T, SCALE,
            dots);
      }
      for (int i = d; i < dpre.length; i++) {
        assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(dpre[i]),
            "T=" + T + " tile rows " + tileRows + " row " + (i - d) / T + " column " + (i - d) % T);
      }
    }
  }
}
