package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * GeluRows writes out the steps of the vector GELU helpers in place: each element must get the
 * bits that CpuPointwise.geluOf / geluGradient (vector for whole vectors, scalar for the tail)
 * give it, in place or not, and by way of the kept slope, for values where tanh's argument passes
 * its clamp, tanh rounds to 1, or x is tiny.
 */
class GeluRowsTest {

  @Test
  void rowsGiveTheHelpersBitsInTheBodyAndTheTail() {
    Random rng = new Random(23);
    for (int round = 0; round < 2_000; round++) {
      int n = 1 + rng.nextInt(5 * Vec.L);
      float[] x = new float[n + 3], d = new float[n + 5];
      for (int i = 0; i < x.length; i++) {
        x[i] = switch (round % 4) {
          case 0 -> (float) rng.nextGaussian();
          case 1 -> (float) rng.nextGaussian() * 12f;
          case 2 -> Float.intBitsToFloat(rng.nextInt()) % 60f;
          default -> (rng.nextFloat() - 0.5f) * 1e-3f;
        };
      }
      for (int i = 0; i < d.length; i++) d[i] = (float) rng.nextGaussian();
      float[] gelu = new float[n + 1], grad = new float[n + 2];
      GeluRows.forward(x, 3, gelu, 1, n);
      GeluRows.gradient(x, 3, d, 5, grad, 2, n);
      float[] inPlace = d.clone();
      GeluRows.gradient(x, 3, inPlace, 5, inPlace, 5, n);
      // the slope kept in x's place, then d times it: GELU's output and gradient again
      float[] slope = x.clone(), geluKeepingSlope = new float[n + 1], bySlope = d.clone();
      GeluRows.forwardKeepingSlope(slope, 3, geluKeepingSlope, 1, n);
      GeluRows.multiplyBySlope(slope, 3, bySlope, 5, n);
      int body = n - n % Vec.L;
      for (int i = 0; i < n; i++) {
        float expectGelu, expectGrad;
        if (i < body) {
          int lane = i % Vec.L;
          FloatVector v = FloatVector.fromArray(Vec.S, x, 3 + i - lane);
          expectGelu = CpuPointwise.geluOf(v).lane(lane);
          expectGrad = CpuPointwise.geluGradient(v).mul(FloatVector.fromArray(Vec.S, d, 5 + i - lane)).lane(lane);
        } else {
          expectGelu = CpuPointwise.geluOf(x[3 + i]);
          expectGrad = CpuPointwise.geluGradient(x[3 + i]) * d[5 + i];
        }
        assertEquals(Float.floatToIntBits(expectGelu), Float.floatToIntBits(gelu[1 + i]), "gelu(" + x[3 + i] + ")");
        assertEquals(Float.floatToIntBits(expectGrad), Float.floatToIntBits(grad[2 + i]), "gelu'(" + x[3 + i] + ")");
        assertEquals(Float.floatToIntBits(expectGrad), Float.floatToIntBits(inPlace[5 + i]), "in place, " + x[3 + i]);
        assertEquals(Float.floatToIntBits(expectGelu), Float.floatToIntBits(geluKeepingSlope[1 + i]),
            "gelu keeping the slope, " + x[3 + i]);
        assertEquals(Float.floatToIntBits(expectGrad), Float.floatToIntBits(bySlope[5 + i]), "by the slope, " + x[3 + i]);
      }
    }
  }
}
