package dev.jgpt.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The vector shape every CPU kernel uses: the widest this CPU runs well (8 floats on AVX2). */
final class Vec {
  private Vec() {}

  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  /** Floats per vector. */
  static final int L = S.length();

  /**
   * Sum of the lanes, left to right. {@code reduceLanes(ADD)} may add in a different order
   * once C2 compiles the caller (a tree) than before (a loop), which made results depend on JIT
   * timing; this order is fixed.
   */
  static float sumLanes(FloatVector v) {
    float s = 0f;
    for (int i = 0; i < L; i++) s += v.lane(i);
    return s;
  }

  /** Largest multiple of the vector length not above n: where the scalar tail starts. */
  static int loopBound(int n) {
    return S.loopBound(n);
  }
}
