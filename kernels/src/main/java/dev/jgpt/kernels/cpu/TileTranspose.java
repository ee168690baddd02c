package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Gemm.MR;
import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import jdk.incubator.vector.FloatVector;

/**
 * Packs one A tile of {@link Gemm} from 8 rows contiguous in k (dout rows for the input
 * gradient dinp = dout W) with an in-register transpose, at 16 lanes (512 bits, MR = 8) only.
 *
 * <p>Per 16 steps of k: 8 row loads R0..R7 (16 floats each, k0 .. k0+15) become the 128 floats
 * of the tile at those k, ap[k*8 + r], as 8 vector stores O0..O7 with O_j[l] = R_{l%8}[2j + l/8].
 * Element (row r, step k) starts in vector r, lane k; it must end in vector k/2, lane
 * (k%2)*8 + r. Three rounds of two-source permutes ({@link FloatVector#selectFrom(
 * jdk.incubator.vector.Vector, jdk.incubator.vector.Vector)}, one vpermi2ps each) each swap one
 * bit of the vector number with one bit of the lane number: 24 permutes, 8 loads and 8 stores
 * instead of 128 scalar loads and 128 scalar stores with a 32-byte stride. The permutes use the
 * one preferred species: a second one would make the Vector API's call sites bimorphic (see
 * {@link Packing#packA}).
 */
final class TileTranspose {
  private TileTranspose() {}

  /** The preferred species is 16 lanes and the tile 8 rows: two tile steps per vector. */
  static final boolean SUPPORTED = L == 16 && MR == 8;

  // Index vectors of the three rounds: LO_* builds the vector whose moved bit is 0, HI_* the one
  // whose bit is 1, from (first source = bit 0, second = bit 1). Rounds 1 and 2 swap vector bit
  // 0 (r0) with lane bit 1 (k1), then vector bit 1 (r1) with lane bit 2 (k2). Round 3 swaps
  // vector bit 2 (r2) with lane bit 3 (k3) and also reorders the lanes from (k3 r1 r0 k0) to
  // (k0 r2 r1 r0), most significant bit first.
  private static final FloatVector LO_1, HI_1, LO_2, HI_2, LO_3, HI_3;
  // The 16-row transpose: round b swaps vector bit b with lane bit b, b = 0 .. 3.
  private static final FloatVector SWAP0_LO, SWAP0_HI, SWAP1_LO, SWAP1_HI, SWAP2_LO, SWAP2_HI, SWAP3_LO, SWAP3_HI;

  /** Vectors of 8 or 16 lanes: L rows of B = W^T go out by {@link #packLRows}. */
  static final boolean TRANSPOSES_ROWS = L == 16 || L == 8;

  static {
    if (SUPPORTED) {
      LO_1 = swapIndex(1, 0);
      HI_1 = swapIndex(1, 1);
      LO_2 = swapIndex(2, 0);
      HI_2 = swapIndex(2, 1);
      LO_3 = finalIndex(0);
      HI_3 = finalIndex(1);
    } else {
      LO_1 = HI_1 = LO_2 = HI_2 = LO_3 = HI_3 = null;
    }
    if (TRANSPOSES_ROWS) {
      SWAP0_LO = swapIndex(0, 0);
      SWAP0_HI = swapIndex(0, 1);
      SWAP1_LO = swapIndex(1, 0);
      SWAP1_HI = swapIndex(1, 1);
      SWAP2_LO = swapIndex(2, 0);
      SWAP2_HI = swapIndex(2, 1);
      SWAP3_LO = L == 16 ? swapIndex(3, 0) : null;
      SWAP3_HI = L == 16 ? swapIndex(3, 1) : null;
    } else {
      SWAP0_LO = SWAP0_HI = SWAP1_LO = SWAP1_HI = SWAP2_LO = SWAP2_HI = SWAP3_LO = SWAP3_HI = null;
    }
  }

  // output lane l takes, from source (bit `laneBit` of l), lane l with that bit set to `half`
  private static FloatVector swapIndex(int laneBit, int half) {
    float[] idx = new float[L];
    int bit = 1 << laneBit;
    for (int l = 0; l < L; l++) {
      int source = (l & bit) != 0 ? 1 : 0;
      int lane = half == 1 ? l | bit : l & ~bit;
      idx[l] = source * L + lane;
    }
    return FloatVector.fromArray(S, idx, 0);
  }

  // output lane l = (k0 r2 r1 r0) takes, from source r2, lane (k3=half r1 r0 k0)
  private static FloatVector finalIndex(int half) {
    float[] idx = new float[16];
    for (int l = 0; l < 16; l++) {
      int k0 = l >> 3, r2 = (l >> 2) & 1, r1 = (l >> 1) & 1, r0 = l & 1;
      idx[l] = r2 * 16 + ((half << 3) | (r1 << 2) | (r0 << 1) | k0);
    }
    return FloatVector.fromArray(S, idx, 0);
  }

  /**
   * ap[dst + k*8 + r] = a[src + r*rs + k] for r < 8, k < kc: one full tile of 8 rows (rows
   * rs apart, contiguous in k) into the (kc, 8) tile layout.
   */
  static void pack8Rows(float[] a, int src, int rs, int kc, float[] ap, int dst) {
    int s0 = src, s1 = s0 + rs, s2 = s1 + rs, s3 = s2 + rs, s4 = s3 + rs, s5 = s4 + rs, s6 = s5 + rs, s7 = s6 + rs;
    int k = 0;
    for (; k + 16 <= kc; k += 16) {
      // the permutation constants read in the loop: known receivers even in a compilation entered mid-loop (see Vec)
      FloatVector lo1 = LO_1, hi1 = HI_1, lo2 = LO_2, hi2 = HI_2, lo3 = LO_3, hi3 = HI_3;
      FloatVector r0 = FloatVector.fromArray(S, a, s0 + k), r1 = FloatVector.fromArray(S, a, s1 + k),
          r2 = FloatVector.fromArray(S, a, s2 + k), r3 = FloatVector.fromArray(S, a, s3 + k),
          r4 = FloatVector.fromArray(S, a, s4 + k), r5 = FloatVector.fromArray(S, a, s5 + k),
          r6 = FloatVector.fromArray(S, a, s6 + k), r7 = FloatVector.fromArray(S, a, s7 + k);
      // round 1: pairs of rows (r0 = 0, 1)
      FloatVector a0 = lo1.selectFrom(r0, r1), a1 = hi1.selectFrom(r0, r1);
      FloatVector a2 = lo1.selectFrom(r2, r3), a3 = hi1.selectFrom(r2, r3);
      FloatVector a4 = lo1.selectFrom(r4, r5), a5 = hi1.selectFrom(r4, r5);
      FloatVector a6 = lo1.selectFrom(r6, r7), a7 = hi1.selectFrom(r6, r7);
      // round 2: vectors 2 apart (r1 = 0, 1)
      FloatVector b0 = lo2.selectFrom(a0, a2), b2 = hi2.selectFrom(a0, a2);
      FloatVector b1 = lo2.selectFrom(a1, a3), b3 = hi2.selectFrom(a1, a3);
      FloatVector b4 = lo2.selectFrom(a4, a6), b6 = hi2.selectFrom(a4, a6);
      FloatVector b5 = lo2.selectFrom(a5, a7), b7 = hi2.selectFrom(a5, a7);
      // round 3: vectors 4 apart (r2 = 0, 1); vector v of b holds k1 = bit 0, k2 = bit 1
      int d = dst + k * MR;
      lo3.selectFrom(b0, b4).intoArray(ap, d);
      lo3.selectFrom(b1, b5).intoArray(ap, d + 16);
      lo3.selectFrom(b2, b6).intoArray(ap, d + 32);
      lo3.selectFrom(b3, b7).intoArray(ap, d + 48);
      hi3.selectFrom(b0, b4).intoArray(ap, d + 64);
      hi3.selectFrom(b1, b5).intoArray(ap, d + 80);
      hi3.selectFrom(b2, b6).intoArray(ap, d + 96);
      hi3.selectFrom(b3, b7).intoArray(ap, d + 112);
    }
    for (; k < kc; k++) {
      int d = dst + k * MR;
      ap[d] = a[s0 + k];
      ap[d + 1] = a[s1 + k];
      ap[d + 2] = a[s2 + k];
      ap[d + 3] = a[s3 + k];
      ap[d + 4] = a[s4 + k];
      ap[d + 5] = a[s5 + k];
      ap[d + 6] = a[s6 + k];
      ap[d + 7] = a[s7 + k];
    }
  }

  /**
   * bp[dst + k*ld + r] = a[src + r*rs + k] for r < L, k < kc: L rows (rs apart, contiguous in k)
   * transposed into rows of L floats, ld apart ({@link #pack16Rows}, {@link #pack8Rows8Lanes}).
   */
  static void packLRows(float[] a, int src, int rs, int kc, float[] bp, int dst, int ld) {
    if (L == 16) {
      pack16Rows(a, src, rs, kc, bp, dst, ld);
    } else {
      pack8Rows8Lanes(a, src, rs, kc, bp, dst, ld);
    }
  }

  /** The 8-lane (256-bit) twin of {@link #pack16Rows}: three rounds of 8 permutes per 8 steps. */
  static void pack8Rows8Lanes(float[] a, int src, int rs, int kc, float[] bp, int dst, int ld) {
    int k = 0;
    for (; k + 8 <= kc; k += 8) {
      // the permutation constants read in the loop: known receivers even in a compilation entered mid-loop (see Vec)
      FloatVector l0 = SWAP0_LO, h0 = SWAP0_HI, l1 = SWAP1_LO, h1 = SWAP1_HI, l2 = SWAP2_LO, h2 = SWAP2_HI;
      int s = src + k;
      FloatVector r0 = FloatVector.fromArray(S, a, s), r1 = FloatVector.fromArray(S, a, s + rs),
          r2 = FloatVector.fromArray(S, a, s + 2 * rs), r3 = FloatVector.fromArray(S, a, s + 3 * rs),
          r4 = FloatVector.fromArray(S, a, s + 4 * rs), r5 = FloatVector.fromArray(S, a, s + 5 * rs),
          r6 = FloatVector.fromArray(S, a, s + 6 * rs), r7 = FloatVector.fromArray(S, a, s + 7 * rs);
      // round 0: rows 1 apart
      FloatVector a0 = l0.selectFrom(r0, r1), a1 = h0.selectFrom(r0, r1);
      FloatVector a2 = l0.selectFrom(r2, r3), a3 = h0.selectFrom(r2, r3);
      FloatVector a4 = l0.selectFrom(r4, r5), a5 = h0.selectFrom(r4, r5);
      FloatVector a6 = l0.selectFrom(r6, r7), a7 = h0.selectFrom(r6, r7);
      // round 1: rows 2 apart
      FloatVector b0 = l1.selectFrom(a0, a2), b2 = h1.selectFrom(a0, a2);
      FloatVector b1 = l1.selectFrom(a1, a3), b3 = h1.selectFrom(a1, a3);
      FloatVector b4 = l1.selectFrom(a4, a6), b6 = h1.selectFrom(a4, a6);
      FloatVector b5 = l1.selectFrom(a5, a7), b7 = h1.selectFrom(a5, a7);
      // round 2: rows 4 apart; vector k now holds step k of the 8 rows
      int d = dst + k * ld;
      l2.selectFrom(b0, b4).intoArray(bp, d);
      l2.selectFrom(b1, b5).intoArray(bp, d + ld);
      l2.selectFrom(b2, b6).intoArray(bp, d + 2 * ld);
      l2.selectFrom(b3, b7).intoArray(bp, d + 3 * ld);
      h2.selectFrom(b0, b4).intoArray(bp, d + 4 * ld);
      h2.selectFrom(b1, b5).intoArray(bp, d + 5 * ld);
      h2.selectFrom(b2, b6).intoArray(bp, d + 6 * ld);
      h2.selectFrom(b3, b7).intoArray(bp, d + 7 * ld);
    }
    for (; k < kc; k++) {
      for (int r = 0; r < 8; r++) bp[dst + k * ld + r] = a[src + r * rs + k];
    }
  }

  /**
   * bp[dst + k*ld + r] = a[src + r*rs + k] for r < 16, k < kc: 16 rows (rs apart, contiguous
   * in k) transposed into rows of 16 floats, ld apart: 16 columns of a B panel (keys for the
   * attention scores, weight rows for the forward matmul; {@link Packing#packTransposed}).
   * Per 16 steps of k: 16 row loads, four rounds of 16 two-source permutes (round b swaps bit b
   * of the vector number with bit b of the lane number, so row r, step k ends in vector k, lane
   * r), 16 whole-vector stores; instead of 256 scalar loads and 256 scalar stores ld apart.
   * Masked half-vector stores into an 8-row layout were tried first: C2 boxed their vectors.
   */
  static void pack16Rows(float[] a, int src, int rs, int kc, float[] bp, int dst, int ld) {
    int k = 0;
    for (; k + 16 <= kc; k += 16) {
      // the permutation constants read in the loop: known receivers even in a compilation entered mid-loop (see Vec)
      FloatVector l0 = SWAP0_LO, h0 = SWAP0_HI, l1 = SWAP1_LO, h1 = SWAP1_HI, l2 = SWAP2_LO, h2 = SWAP2_HI,
          l3 = SWAP3_LO, h3 = SWAP3_HI;
      int s = src + k;
      FloatVector r0 = FloatVector.fromArray(S, a, s);
      FloatVector r1 = FloatVector.fromArray(S, a, s + 1 * rs);
      FloatVector r2 = FloatVector.fromArray(S, a, s + 2 * rs);
      FloatVector r3 = FloatVector.fromArray(S, a, s + 3 * rs);
      FloatVector r4 = FloatVector.fromArray(S, a, s + 4 * rs);
      FloatVector r5 = FloatVector.fromArray(S, a, s + 5 * rs);
      FloatVector r6 = FloatVector.fromArray(S, a, s + 6 * rs);
      FloatVector r7 = FloatVector.fromArray(S, a, s + 7 * rs);
      FloatVector r8 = FloatVector.fromArray(S, a, s + 8 * rs);
      FloatVector r9 = FloatVector.fromArray(S, a, s + 9 * rs);
      FloatVector r10 = FloatVector.fromArray(S, a, s + 10 * rs);
      FloatVector r11 = FloatVector.fromArray(S, a, s + 11 * rs);
      FloatVector r12 = FloatVector.fromArray(S, a, s + 12 * rs);
      FloatVector r13 = FloatVector.fromArray(S, a, s + 13 * rs);
      FloatVector r14 = FloatVector.fromArray(S, a, s + 14 * rs);
      FloatVector r15 = FloatVector.fromArray(S, a, s + 15 * rs);
      // round 0: rows 1 apart
      FloatVector a0 = l0.selectFrom(r0, r1), a1 = h0.selectFrom(r0, r1);
      FloatVector a2 = l0.selectFrom(r2, r3), a3 = h0.selectFrom(r2, r3);
      FloatVector a4 = l0.selectFrom(r4, r5), a5 = h0.selectFrom(r4, r5);
      FloatVector a6 = l0.selectFrom(r6, r7), a7 = h0.selectFrom(r6, r7);
      FloatVector a8 = l0.selectFrom(r8, r9), a9 = h0.selectFrom(r8, r9);
      FloatVector a10 = l0.selectFrom(r10, r11), a11 = h0.selectFrom(r10, r11);
      FloatVector a12 = l0.selectFrom(r12, r13), a13 = h0.selectFrom(r12, r13);
      FloatVector a14 = l0.selectFrom(r14, r15), a15 = h0.selectFrom(r14, r15);
      // round 1: rows 2 apart
      FloatVector b0 = l1.selectFrom(a0, a2), b2 = h1.selectFrom(a0, a2);
      FloatVector b1 = l1.selectFrom(a1, a3), b3 = h1.selectFrom(a1, a3);
      FloatVector b4 = l1.selectFrom(a4, a6), b6 = h1.selectFrom(a4, a6);
      FloatVector b5 = l1.selectFrom(a5, a7), b7 = h1.selectFrom(a5, a7);
      FloatVector b8 = l1.selectFrom(a8, a10), b10 = h1.selectFrom(a8, a10);
      FloatVector b9 = l1.selectFrom(a9, a11), b11 = h1.selectFrom(a9, a11);
      FloatVector b12 = l1.selectFrom(a12, a14), b14 = h1.selectFrom(a12, a14);
      FloatVector b13 = l1.selectFrom(a13, a15), b15 = h1.selectFrom(a13, a15);
      // round 2: rows 4 apart
      FloatVector c0 = l2.selectFrom(b0, b4), c4 = h2.selectFrom(b0, b4);
      FloatVector c1 = l2.selectFrom(b1, b5), c5 = h2.selectFrom(b1, b5);
      FloatVector c2 = l2.selectFrom(b2, b6), c6 = h2.selectFrom(b2, b6);
      FloatVector c3 = l2.selectFrom(b3, b7), c7 = h2.selectFrom(b3, b7);
      FloatVector c8 = l2.selectFrom(b8, b12), c12 = h2.selectFrom(b8, b12);
      FloatVector c9 = l2.selectFrom(b9, b13), c13 = h2.selectFrom(b9, b13);
      FloatVector c10 = l2.selectFrom(b10, b14), c14 = h2.selectFrom(b10, b14);
      FloatVector c11 = l2.selectFrom(b11, b15), c15 = h2.selectFrom(b11, b15);
      // round 3: rows 8 apart; vector k now holds step k of the 16 rows
      FloatVector e0 = l3.selectFrom(c0, c8), e8 = h3.selectFrom(c0, c8);
      FloatVector e1 = l3.selectFrom(c1, c9), e9 = h3.selectFrom(c1, c9);
      FloatVector e2 = l3.selectFrom(c2, c10), e10 = h3.selectFrom(c2, c10);
      FloatVector e3 = l3.selectFrom(c3, c11), e11 = h3.selectFrom(c3, c11);
      FloatVector e4 = l3.selectFrom(c4, c12), e12 = h3.selectFrom(c4, c12);
      FloatVector e5 = l3.selectFrom(c5, c13), e13 = h3.selectFrom(c5, c13);
      FloatVector e6 = l3.selectFrom(c6, c14), e14 = h3.selectFrom(c6, c14);
      FloatVector e7 = l3.selectFrom(c7, c15), e15 = h3.selectFrom(c7, c15);
      int d = dst + k * ld;
      e0.intoArray(bp, d);
      e1.intoArray(bp, d + 1 * ld);
      e2.intoArray(bp, d + 2 * ld);
      e3.intoArray(bp, d + 3 * ld);
      e4.intoArray(bp, d + 4 * ld);
      e5.intoArray(bp, d + 5 * ld);
      e6.intoArray(bp, d + 6 * ld);
      e7.intoArray(bp, d + 7 * ld);
      e8.intoArray(bp, d + 8 * ld);
      e9.intoArray(bp, d + 9 * ld);
      e10.intoArray(bp, d + 10 * ld);
      e11.intoArray(bp, d + 11 * ld);
      e12.intoArray(bp, d + 12 * ld);
      e13.intoArray(bp, d + 13 * ld);
      e14.intoArray(bp, d + 14 * ld);
      e15.intoArray(bp, d + 15 * ld);
    }
    for (; k < kc; k++) {
      for (int r = 0; r < 16; r++) bp[dst + k * ld + r] = a[src + r * rs + k];
    }
  }
}
