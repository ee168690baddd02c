package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class VectorMathTest {

  /** Applies f to x[i .. i+L) lane-wise and returns lane 0..L-1 as an array. */
  private static float[] apply(java.util.function.UnaryOperator<FloatVector> f, float[] x) {
    float[] out = new float[x.length];
    for (int i = 0; i + Vec.L <= x.length; i += Vec.L) f.apply(FloatVector.fromArray(Vec.S, x, i)).intoArray(out, i);
    return out;
  }

  @Test
  void expMatchesMathExpWithinAFewUlpsDownToUnderflow() {
    int n = 200_000 / Vec.L * Vec.L;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = -90f * i / n; // 0 .. -90, past float underflow
    float[] e = apply(VectorMath::expNonPositive, x);
    double worst = 0;
    for (int i = 0; i < n; i++) {
      double expected = Math.exp(x[i]);
      if (x[i] < -87.3f) { // documented: exp underflows a float, 0 is returned
        assertEquals(0f, e[i], "x=" + x[i]);
        continue;
      }
      worst = Math.max(worst, Math.abs(e[i] - expected) / expected);
    }
    assertTrue(worst < 5e-7, "worst relative error " + worst);
    assertEquals(1f, apply(VectorMath::expNonPositive, new float[Vec.L])[0]);
  }

  @Test
  void tanhMatchesMathTanhAndIsOdd() {
    int n = 100_000 / Vec.L * Vec.L;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = -12f + 24f * i / n;
    float[] t = apply(VectorMath::tanh, x);
    for (int i = 0; i < n; i++) {
      assertEquals(Math.tanh(x[i]), t[i], 3e-7, "x=" + x[i]);
    }
    float[] pair = new float[Vec.L];
    pair[0] = 0.3f;
    pair[1] = -0.3f;
    float[] tp = apply(VectorMath::tanh, pair);
    assertEquals(tp[0], -tp[1]);
    assertEquals(0f, tp[2]);
  }
}
