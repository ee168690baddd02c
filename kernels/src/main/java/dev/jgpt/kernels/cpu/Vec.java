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
   * Sum of the lanes, left to right. {@code reduceLanes(ADD)} may add in a different order once
   * C2 compiles the caller (a tree) than before (a loop), which made results depend on JIT
   * timing; this order is fixed. The lanes are named one by one for the common width: a loop
   * over lane(i) with a variable i expands into a switch over every lane per step, which made C2
   * give up inlining this at some call sites and box the vector instead. The same holds for
   * 16 lanes (AVX-512): before they were named here, every row op boxed one 512-bit vector
   * (96 bytes) per call in the runs where C2 kept the loop.
   */
  static float sumLanes(FloatVector v) {
    if (L == 8) return v.lane(0) + v.lane(1) + v.lane(2) + v.lane(3) + v.lane(4) + v.lane(5) + v.lane(6) + v.lane(7);
    if (L == 16) {
      return v.lane(0) + v.lane(1) + v.lane(2) + v.lane(3) + v.lane(4) + v.lane(5) + v.lane(6) + v.lane(7)
          + v.lane(8) + v.lane(9) + v.lane(10) + v.lane(11) + v.lane(12) + v.lane(13) + v.lane(14) + v.lane(15);
    }
    return sumLanesAnyWidth(v);
  }

  // the same order for other widths (4 lanes on NEON, 16 on AVX-512)
  private static float sumLanesAnyWidth(FloatVector v) {
    float s = v.lane(0);
    for (int i = 1; i < L; i++) s += v.lane(i);
    return s;
  }

  /** Largest multiple of the vector length not above n: where the scalar tail starts. */
  static int loopBound(int n) {
    return S.loopBound(n);
  }
}
