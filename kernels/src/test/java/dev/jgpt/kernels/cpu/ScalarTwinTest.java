package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The scalar exp and tanh that row tails use must give the vector lanes' bits for every input:
 * otherwise an element's value would depend on whether it falls in a row's vector body or its
 * tail, that is on the row length.
 */
class ScalarTwinTest {

  /** Every STRIDE-th of the 2^32 float bit patterns: both signs, subnormals, infinities, NaNs. */
  private static final int STRIDE = 2003;

  static float[] sweep() {
    float[] special = {0f, -0f, -87.3f, Math.nextUp(-87.3f), Math.nextDown(-87.3f), -87.33655f, -88.7f, -1e-30f,
        -Float.MIN_VALUE, -Float.MAX_VALUE, Float.NEGATIVE_INFINITY, Float.NaN, -0.34657359f, -0.34657362f, -126.5f};
    int swept = (int) ((1L << 32) / STRIDE);
    int n = (swept + special.length + Vec.L - 1) / Vec.L * Vec.L;
    float[] x = new float[n];
    System.arraycopy(special, 0, x, 0, special.length);
    for (int k = 0; k < swept; k++) x[special.length + k] = Float.intBitsToFloat((int) ((long) k * STRIDE));
    return x; // any padding at the end is 0f, a legal input
  }

  private static void assertSameBits(UnaryOperator<FloatVector> vector, UnaryOperator<Float> scalar, String name) {
    float[] x = sweep();
    float[] lanes = new float[x.length];
    for (int i = 0; i < x.length; i += Vec.L) vector.apply(FloatVector.fromArray(Vec.S, x, i)).intoArray(lanes, i);
    for (int i = 0; i < x.length; i++) {
      float expected = lanes[i];
      float got = scalar.apply(x[i]);
      // floatToIntBits: any NaN equals any NaN (payloads are not part of the contract), but -0 != +0
      if (Float.floatToIntBits(expected) != Float.floatToIntBits(got)) {
        assertEquals(expected, got, name + " at x=" + x[i] + " (bits 0x" + Integer.toHexString(
            Float.floatToRawIntBits(x[i])) + "): scalar " + got + ", vector " + expected);
      }
    }
  }

  @Test
  void scalarExpHasTheVectorLanesBits() {
    assertSameBits(VectorMath::expNonPositive, VectorMath::expNonPositive, "exp");
  }

  @Test
  void scalarTanhHasTheVectorLanesBits() {
    assertSameBits(VectorMath::tanh, VectorMath::tanh, "tanh");
  }
}
