package dev.jgpt.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.function.Function;

/** Central finite differences in double, and array helpers for the gradient tests. */
final class Fd {
  private Fd() {}

  static final double H = 1e-4;

  /** d loss / d x_i for every i, by (loss(x + h e_i) - loss(x - h e_i)) / 2h. */
  static double[] gradient(Function<double[], Double> loss, double[] x) {
    double[] g = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double keep = x[i];
      x[i] = keep + H;
      double up = loss.apply(x);
      x[i] = keep - H;
      double down = loss.apply(x);
      x[i] = keep;
      g[i] = (up - down) / (2 * H);
    }
    return g;
  }

  /** sum_i a_i * b_i: turns a vector output into the scalar loss whose gradient is checked. */
  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  static double[] random(Random rng, int n) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) x[i] = rng.nextGaussian();
    return x;
  }

  /** The values of x as floats, rounded, and x itself rounded to the floats (so both sides agree). */
  static float[] toFloat(double[] x) {
    float[] f = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      f[i] = (float) x[i];
      x[i] = f[i];
    }
    return f;
  }

  /** Pads a float array with {@code pad} garbage floats in front, so kernels see a nonzero offset. */
  static float[] padded(float[] x, int pad, Random rng) {
    float[] p = new float[pad + x.length + 3];
    for (int i = 0; i < p.length; i++) p[i] = 100f + rng.nextFloat();
    System.arraycopy(x, 0, p, pad, x.length);
    return p;
  }

  /** x[pad .. pad + n) minus before[0 .. n): what a backward kernel added. */
  static double[] added(float[] x, int pad, float[] before) {
    double[] d = new double[before.length];
    for (int i = 0; i < before.length; i++) d[i] = (double) x[pad + i] - before[i];
    return d;
  }

  static void assertClose(String what, double[] expected, double[] actual, double tol, long seed) {
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(expected[i] - actual[i]);
      if (!(err <= tol * Math.max(1, Math.abs(expected[i])))) {
        fail(what + "[" + i + "]: expected " + expected[i] + " got " + actual[i] + " (seed " + seed + ")");
      }
    }
  }

  /** Float array as double, offset {@code pad}, length n. */
  static double[] toDouble(float[] x, int pad, int n) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) d[i] = x[pad + i];
    return d;
  }
}
