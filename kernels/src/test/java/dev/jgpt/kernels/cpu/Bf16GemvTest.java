package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.kernels.Bf16;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bf16 gemv: bit-identical whatever the thread count, and equal (up to the order of the
 * sums) to a plain loop over the widened weights, on each of its paths: two vectors a step, one
 * vector, the scalar tail, an odd width (the comments count 8 lanes: 256 bits, its widest), rows
 * read in pairs and the odd one left over.
 */
class Bf16GemvTest {
  @ParameterizedTest(name = "N={0} C={1} OC={2} bias={3}")
  @CsvSource({
    "1, 768, 131, true", // GPT-2's width: whole steps only
    "1, 3072, 40, false", // the MLP's projection
    "2, 54, 37, true", // 27 pairs at 8 lanes: a two-vector step, one vector, a scalar tail
    "3, 45, 37, false", // odd C: the last pair is padded
    "4, 7, 19, false", // scalar tail only
    "1, 1, 5, true"})
  void sameBitsOnAnyThreadCountAndCloseToAPlainLoop(int N, int C, int OC, boolean withBias) {
    Random r = new Random(N * 31 + C);
    float[] inp = random(r, N * C + 5), w = random(r, OC * C), bias = withBias ? random(r, OC + 3) : null;
    int[] packed = Bf16.packRows(w, 0, OC, C);
    float[] plain = new float[N * OC];
    for (int n = 0; n < N; n++) {
      for (int o = 0; o < OC; o++) {
        double sum = bias == null ? 0 : bias[3 + o];
        for (int c = 0; c < C; c++) sum += (double) inp[5 + n * C + c] * Bf16.unpack(packed, 0, C, o, c);
        plain[n * OC + o] = (float) sum;
      }
    }
    float[] first = null;
    for (int threads : new int[] {1, 2, 3}) {
      try (WorkerPool pool = new WorkerPool(threads)) {
        float[] out = new float[N * OC + 2];
        new Bf16Gemv(pool).forward(out, 2, inp, 5, packed, bias, 3, N, C, OC);
        float[] got = Arrays.copyOfRange(out, 2, out.length);
        if (first == null) first = got;
        assertArrayEquals(first, got, threads + " threads");
      }
    }
    for (int i = 0; i < plain.length; i++) assertEquals(plain[i], first[i], 1e-5 * Math.sqrt(C) * 4, "column " + i);
  }

  /** Two rows in one loop (the pairs the gemv reads far apart) give each row dot's bits, on every path. */
  @Test
  void aPairOfRowsGivesEachRowTheBitsOfItsOwnDot() {
    Random r = new Random(7);
    for (int pc = 1; pc <= 5 * Dot.STREAM_L + 3; pc++) {
      float[] x = random(r, 2 * pc + 4);
      int[] w = new int[3 * pc + 6];
      for (int i = 0; i < w.length; i++) {
        w[i] = Bf16.fromFloat((float) r.nextGaussian()) | Bf16.fromFloat((float) r.nextGaussian()) << 16;
      }
      float[] out = new float[4];
      Bf16Gemv.dotPair(x, 4, pc, w, 1, pc + 5, out, 0, 0.5f, 3, -0.25f);
      assertEquals(Float.floatToIntBits(0.5f + Bf16Gemv.dot(x, 4, pc, w, 1)), Float.floatToIntBits(out[0]),
          "first, pc " + pc);
      assertEquals(Float.floatToIntBits(-0.25f + Bf16Gemv.dot(x, 4, pc, w, pc + 5)), Float.floatToIntBits(out[3]),
          "second, pc " + pc);
    }
  }

  private static float[] random(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
    return a;
  }
}
