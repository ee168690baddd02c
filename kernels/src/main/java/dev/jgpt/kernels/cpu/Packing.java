package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Gemm.MR;
import static dev.jgpt.kernels.cpu.Gemm.NR;
import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/** Packing of matmul operands into the layouts {@link MicroKernel} reads (see {@link Gemm}). */
final class Packing {
  private Packing() {}

  /**
   * A tile is half a vector wide (8 rows of 16 lanes): packing A = dout^T then copies two tiles'
   * rows with one vector load and two masked stores (the lanes of the low and high half).
   */
  private static final boolean PAIR_COPY = MR * 2 == L;
  private static final VectorMask<Float> LOW_HALF = S.indexInRange(0, MR), HIGH_HALF = LOW_HALF.not();

  /**
   * Packs B = W^T where W (n,K) is row-major with row stride ld (a weight (OC,C) in the forward
   * pass, the keys of one head in attention): panel p gets columns p*NR .. of B, i.e. rows of W,
   * transposed. Panels [p0, p1).
   */
  static void packTransposed(float[] w, int wOff, int ld, int n, int K, float[] bp, int p0, int p1) {
    final int kBlock = 128; // the panel slice being written (kBlock x NR floats) stays in L1
    for (int p = p0; p < p1; p++) {
      int base = p * K * NR;
      for (int k0 = 0; k0 < K; k0 += kBlock) {
        int k1 = Math.min(K, k0 + kBlock);
        int j = 0;
        if (TileTranspose.TRANSPOSES_ROWS) {
          // L whole rows at a time by an in-register transpose; the rest (and the padding) below
          for (; j + L <= NR && p * NR + j + L <= n; j += L) {
            TileTranspose.packLRows(w, wOff + (p * NR + j) * ld + k0, ld, k1 - k0, bp, base + k0 * NR + j, NR);
          }
        }
        for (; j < NR; j++) {
          int row = p * NR + j;
          if (row < n) {
            int src = wOff + row * ld;
            for (int k = k0; k < k1; k++) bp[base + k * NR + j] = w[src + k];
          } else {
            for (int k = k0; k < k1; k++) bp[base + k * NR + j] = 0f;
          }
        }
      }
    }
  }

  /**
   * Packs B (K,n) stored row-major with row stride ld (a weight (OC,C) for dinp, an input
   * (N,C) for dweight): straight vector copies, zero-padded past column n. Panels [p0, p1).
   */
  static void packRows(float[] src, int off, int ld, int n, int K, float[] bp, int p0, int p1) {
    for (int p = p0; p < p1; p++) {
      int col = p * NR;
      int base = p * K * NR;
      int width = Math.min(NR, n - col);
      for (int k = 0; k < K; k++) {
        int s = off + k * ld + col;
        int d = base + k * NR;
        if (width == NR) {
          FloatVector.fromArray(S, src, s).intoArray(bp, d);
          FloatVector.fromArray(S, src, s + L).intoArray(bp, d + L);
        } else {
          for (int j = 0; j < width; j++) bp[d + j] = src[s + j];
          for (int j = width; j < NR; j++) bp[d + j] = 0f;
        }
      }
    }
  }

  /** Packs rows [ic*MR, icEnd*MR) x k [pc, pc+kc) of A into MR-row tiles, zero past row M. */
  static void packA(Gemm.Operand op, int M, int ic, int icEnd, int pc, int kc, float[] ap) {
    float[] a = op.a();
    int rs = op.rowStride(), cs = op.colStride();
    if (cs == 1) {
      // A rows contiguous in k (an input or dout row). 8-row tiles at 16 lanes: an in-register
      // transpose of 16 k at a time (TileTranspose). 4-row tiles: four row streams in, one
      // stream out. Other tiles: one row at a time, its floats MR apart in a tile that stays in
      // L1 (measured no slower than MR streams at once).
      for (int t = ic; t < icEnd; t++) {
        int dst = (t - ic) * kc * MR;
        int i0 = t * MR;
        if (TileTranspose.SUPPORTED && i0 + MR <= M) {
          TileTranspose.pack8Rows(a, op.off() + i0 * rs + pc, rs, kc, ap, dst);
        } else if (MR == 4 && i0 + MR <= M) {
          int s0 = op.off() + i0 * rs + pc, s1 = s0 + rs, s2 = s1 + rs, s3 = s2 + rs;
          for (int k = 0; k < kc; k++) {
            int d = dst + k * MR;
            ap[d] = a[s0 + k];
            ap[d + 1] = a[s1 + k];
            ap[d + 2] = a[s2 + k];
            ap[d + 3] = a[s3 + k];
          }
        } else {
          for (int r = 0; r < MR; r++) {
            int src = op.off() + (i0 + r) * rs + pc;
            for (int k = 0; k < kc; k++) ap[dst + k * MR + r] = i0 + r < M ? a[src + k] : 0f;
          }
        }
      }
    } else {
      // A = dout^T (rs = 1): the MR rows of one tile at one k are MR contiguous floats, one
      // small arraycopy. Not a 128-bit vector: a second species beside the preferred one made
      // the Vector API's shared call sites bimorphic, and C2 then compiled other kernels with
      // boxed vectors (28 MB of garbage per attention backward, several times slower); the
      // copy costs about 5-10% of the dweight product at nanoGPT shapes. Where two tiles fill
      // one vector (PAIR_COPY) they go by one load and two masked stores: the pack runs 2x faster
      // (6.6 against 3.1 floats/ns at 512 bits on Zen 5), the dweight product 10-15%. Groups of 4 tiles
      // share a cache line per k: the line is read once and the 4 tiles are written
      // sequentially (k inner; k outer would write with a 4 KiB stride and suffer 4K aliasing).
      int tiles = icEnd - ic;
      int fullTiles = Math.min(tiles, (M - ic * MR) / MR);
      int tileStride = kc * MR;
      int base = op.off() + ic * MR + pc * cs;
      final int group = 4;
      for (int t0 = 0; t0 < fullTiles; t0 += group) {
        int t1 = Math.min(fullTiles, t0 + group);
        for (int k = 0; k < kc; k++) {
          int src = base + k * cs;
          int t = t0;
          if (PAIR_COPY) {
            for (; t + 2 <= t1; t += 2) {
              // lanes 0 .. MR-1 are tile t's rows at k; lanes MR .. 2MR-1 tile t+1's, stored from
              // one tile stride further on, less the MR lanes before them
              FloatVector v = FloatVector.fromArray(S, a, src + t * MR);
              int d = t * tileStride + k * MR;
              v.intoArray(ap, d, LOW_HALF);
              v.intoArray(ap, d + tileStride - MR, HIGH_HALF);
            }
          }
          for (; t < t1; t++) {
            System.arraycopy(a, src + t * MR, ap, t * tileStride + k * MR, MR);
          }
        }
      }
      for (int t = fullTiles; t < tiles; t++) {
        for (int k = 0; k < kc; k++) {
          for (int r = 0; r < MR; r++) {
            int i = (ic + t) * MR + r;
            ap[t * tileStride + k * MR + r] = i < M ? a[base + k * cs + t * MR + r] : 0f;
          }
        }
      }
    }
  }

  /** ap (kc, MR) = A[0 .. rows, 0 .. kc) with A(i,k) = a[a0 + i*rs + k*cs]; rows past `rows` are 0. */
  static void packTile(float[] a, int a0, int rs, int cs, int rows, int kc, float[] ap) {
    for (int k = 0; k < kc; k++) {
      for (int r = 0; r < MR; r++) ap[k * MR + r] = r < rows ? a[a0 + r * rs + k * cs] : 0f;
    }
  }
}
