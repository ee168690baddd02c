package dev.jgpt.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The vector shape every CPU kernel uses: the widest this CPU runs well (8 floats on AVX2). */
final class Vec {
  private Vec() {}

  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  /** Floats per vector. */
  static final int L = S.length();

  /** Largest multiple of the vector length not above n: where the scalar tail starts. */
  static int loopBound(int n) {
    return S.loopBound(n);
  }
}
