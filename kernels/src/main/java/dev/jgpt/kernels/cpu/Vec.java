package dev.jgpt.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shape every CPU kernel uses: the widest this CPU runs well (8 floats on AVX2).
 *
 * <p><b>Known receivers</b> (the rule every kernel of this package follows). A Vector API call
 * such as {@code v.add(w)}, {@code v.intoArray(..)} or {@code v.lane(i)} is a final method of
 * FloatVector that calls an abstract one implemented by the concrete class (Float256Vector,
 * Float512Vector, ...). C2 inlines and intrinsifies it, with no object on the heap, only when it
 * knows {@code v}'s exact class: from {@code v} itself (made in the same compiled method by
 * {@code fromArray}, {@code broadcast}, {@code zero}, or by an op whose receiver was such a
 * vector) or else from the receiver type profile that the JDK method collected, which is shared
 * by every caller, can be missing (a caller compiled while C2's queue was long) or polluted.
 * Without it the call stays a virtual call and every vector crossing it is boxed (10-100x slower
 * for that op, and garbage); {@code -XX:-UseTypeProfile} shows that worst case on every call at
 * once. So a receiver is never a vector whose class C2 cannot see:
 * <ul>
 *   <li>a loop-carried accumulator is the argument of a fresh vector's op: {@code acc =
 *       fresh.add(acc)}, {@code m = fresh.max(m)}, {@code acc = x.fma(y, acc)} (add, mul, max,
 *       min and fma's two factors commute: the same bits);
 *   <li>after the loop, before a store, lane read or reduction, the accumulator is re-made as a
 *       known vector: {@code broadcast(-0f).add(acc)} ({@code -0 + x = x} for every x), for a
 *       maximum {@code broadcast(-inf).max(m)};
 *   <li>a helper's FloatVector parameter, and a vector returned by a helper, are used only as
 *       arguments (a helper C2 does not inline gets them boxed, and would box every op on them);
 *   <li>a vector made before a loop is no receiver in or after it: a compilation entered in the
 *       middle of the loop (OSR) takes it from the interpreter's frame, class unknown. Constants
 *       are read, and scalars broadcast, inside the loop (C2 hoists them).
 * </ul>
 * A kernel that follows it refers here with "(known receiver, see Vec)". Three more ways to box
 * were found with {@code -XX:-UseTypeProfile -Xbatch} (StepAllocationTest) and are avoided: a
 * long vector helper called from a loop (C2 compiles it on its own first, then will not inline
 * it, "already compiled into a big method": GeluRows writes the steps out instead); one loop
 * serving two cases, such as an optional store (compiled again once the second case came, into
 * code that boxed: RowOps has two loops); and {@code convert} without a target species (below).
 */
final class Vec {
  private Vec() {}

  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  /** Floats per vector. */
  static final int L = S.length();
  /**
   * Ints and longs in vectors of the same size, for conversions: {@code convertShape(F2I, INTS, 0)}
   * rather than {@code convert(F2I, 0)}, whose target species C2 finds only by inlining a chain
   * of species look-ups. In a large method C2 stops inlining part way (its node budget, see
   * RowOps), the species is then no constant and the conversion's intrinsic fails, leaving a
   * call that boxes (seen in the compilation log of RowOps.expShiftedSum under -XX:-UseTypeProfile).
   */
  static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, S.vectorShape());
  static final VectorSpecies<Long> LONGS = VectorSpecies.of(long.class, S.vectorShape());

  /**
   * Sum of the lanes, left to right. {@code reduceLanes(ADD)} may add in a different order once
   * C2 compiles the caller (a tree) than before (a loop), which made results depend on JIT
   * timing; this order is fixed. The lanes are named one by one for the common width: a loop
   * over lane(i) with a variable i expands into a switch over every lane per step, which made C2
   * give up inlining this at some call sites and box the vector instead. The same holds for
   * 16 lanes (AVX-512): before they were named here, every row op boxed one 512-bit vector
   * (96 bytes) per call in the runs where C2 kept the loop. Any vector may be passed (a
   * loop-carried accumulator too): the lanes are read from a known copy of it (see the class comment).
   */
  static float sumLanes(FloatVector vector) {
    FloatVector v = FloatVector.broadcast(S, -0f).add(vector); // -0 + x = x: a known receiver for any argument
    if (L == 8) return v.lane(0) + v.lane(1) + v.lane(2) + v.lane(3) + v.lane(4) + v.lane(5) + v.lane(6) + v.lane(7);
    if (L == 16) {
      return v.lane(0) + v.lane(1) + v.lane(2) + v.lane(3) + v.lane(4) + v.lane(5) + v.lane(6) + v.lane(7)
          + v.lane(8) + v.lane(9) + v.lane(10) + v.lane(11) + v.lane(12) + v.lane(13) + v.lane(14) + v.lane(15);
    }
    return sumLanesAnyWidth(v);
  }

  // the same order for other widths (4 lanes on NEON, 16 on AVX-512)
  private static float sumLanesAnyWidth(FloatVector vector) {
    FloatVector v = FloatVector.broadcast(S, -0f).add(vector); // known receiver (see above)
    float s = v.lane(0);
    for (int i = 1; i < L; i++) s += v.lane(i);
    return s;
  }

  /** Largest multiple of the vector length not above n: where the scalar tail starts. */
  static int loopBound(int n) {
    return S.loopBound(n);
  }
}
