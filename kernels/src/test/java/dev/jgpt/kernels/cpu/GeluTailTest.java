package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * GELU tails run scalar code (a vector call on the tail path would box its vectors): the scalar
 * forms must give each element the bits a vector lane gives it, so a value's GELU does not depend
 * on whether it falls in a whole vector or in the tail.
 */
class GeluTailTest {

  @Test
  void scalarGeluAndGradientGiveTheVectorLanesBits() {
    Random rng = new Random(11);
    float[] x = new float[Vec.L];
    for (int round = 0; round < 50_000; round++) {
      for (int i = 0; i < Vec.L; i++) {
        x[i] = switch (round % 4) {
          case 0 -> (float) rng.nextGaussian();
          case 1 -> (float) rng.nextGaussian() * 6f;
          case 2 -> Float.intBitsToFloat(rng.nextInt()) % 20f;
          default -> (rng.nextFloat() - 0.5f) * 1e-3f;
        };
      }
      FloatVector v = FloatVector.fromArray(Vec.S, x, 0);
      FloatVector gelu = CpuPointwise.geluOf(v), grad = CpuPointwise.geluGradient(v);
      for (int i = 0; i < Vec.L; i++) {
        assertEquals(Float.floatToIntBits(gelu.lane(i)), Float.floatToIntBits(CpuPointwise.geluOf(x[i])),
            "gelu(" + x[i] + ")");
        assertEquals(Float.floatToIntBits(grad.lane(i)), Float.floatToIntBits(CpuPointwise.geluGradient(x[i])),
            "gelu'(" + x[i] + ")");
      }
    }
  }

  @Test
  void anElementGetsTheSameGeluInAVectorAndInTheTail() {
    try (WorkerPool pool = new WorkerPool(1)) {
      CpuPointwise pw = new CpuPointwise(pool);
      Random rng = new Random(5);
      int n = 3 * Vec.L + 3;
      float[] x = new float[n], dout = new float[n];
      for (int i = 0; i < n; i++) {
        x[i] = (float) rng.nextGaussian() * 3f;
        dout[i] = (float) rng.nextGaussian();
      }
      // Shifting the start by s moves element i between the vector body and the tail.
      for (int s = 0; s < Vec.L; s++) {
        int len = n - s;
        float[] out = new float[len], dinp = new float[len], ref = new float[n], refGrad = new float[n];
        pw.geluForward(out, 0, x, s, len);
        pw.geluForward(ref, 0, x, 0, n);
        pw.geluBackward(dinp, 0, x, s, dout, s, len);
        pw.geluBackward(refGrad, 0, x, 0, dout, 0, n);
        for (int i = 0; i < len; i++) {
          assertEquals(Float.floatToIntBits(ref[i + s]), Float.floatToIntBits(out[i]), "gelu at " + (i + s) + ", shift " + s);
          assertEquals(Float.floatToIntBits(refGrad[i + s]), Float.floatToIntBits(dinp[i]), "gelu' at " + (i + s) + ", shift " + s);
        }
      }
    }
  }
}
