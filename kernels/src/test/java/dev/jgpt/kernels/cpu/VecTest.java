package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The lane sum is left to right on every width, so its bits do not depend on the JIT. */
class VecTest {

  @Test
  void sumLanesAddsLeftToRightAtThisWidth() {
    float[] x = new float[Vec.L];
    // magnitudes far apart: any other order of additions rounds differently
    for (int i = 0; i < Vec.L; i++) x[i] = (i % 2 == 0 ? 1e8f : 1f) * (i + 1) + 0.1f * i;
    float expected = x[0];
    for (int i = 1; i < Vec.L; i++) expected += x[i];
    assertEquals(expected, Vec.sumLanes(FloatVector.fromArray(Vec.S, x, 0)));
  }

  @Test
  void theSecondTestRunReallyUsesNarrowerVectors() {
    // the kernels' pom runs this suite twice; the second run sets -XX:MaxVectorSize=32 and says so
    int max = Integer.getInteger("jgpt.test.maxVectorBits", Integer.MAX_VALUE);
    assertTrue(Vec.S.vectorBitSize() <= max, Vec.S.vectorBitSize() + "-bit vectors in a run limited to " + max);
    System.out.println("kernels tests run with " + RowOpsAllocation.species() + " vectors");
  }
}
