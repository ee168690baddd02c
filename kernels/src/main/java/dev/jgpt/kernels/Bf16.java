package dev.jgpt.kernels;

/**
 * bfloat16, the upper 16 bits of a float (8 exponent bits, 7 mantissa bits): half the bytes of a
 * weight for decoding, where a step reads every weight once and memory bandwidth sets the speed.
 * Widening back is exact (a shift); narrowing rounds to nearest, ties to even.
 *
 * <p>Packed rows: a matrix (rows, cols) is stored as (rows, {@link #packedCols}) ints, int j of
 * a row holding column 2j in its low 16 bits and column 2j+1 in its high 16 bits (0 past the
 * last column of an odd-width row). Two bf16 per int lets the weights live in an {@link IntBuf},
 * which every backend already has, and lets a vector kernel widen an int vector into the even
 * and the odd columns with one shift and one mask.
 */
public final class Bf16 {
  private Bf16() {}

  /** The bf16 bits (low 16 bits of the result) nearest to {@code x}; NaN stays NaN. */
  public static int fromFloat(float x) {
    int bits = Float.floatToRawIntBits(x);
    if (Float.isNaN(x)) return (bits >>> 16) | 0x40; // quiet NaN: rounding could carry it into infinity
    return (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
  }

  /** The float the bf16 bits {@code h} (low 16 bits) stand for: exact. */
  public static float toFloat(int h) {
    return Float.intBitsToFloat(h << 16);
  }

  /** Ints per packed row of {@code cols} columns: two columns per int. */
  public static int packedCols(int cols) {
    return (cols + 1) / 2;
  }

  /**
   * The matrix src (rows, cols) at {@code offset}, rounded to bf16 and packed: (rows,
   * packedCols(cols)) ints, see the class comment.
   */
  public static int[] packRows(float[] src, int offset, int rows, int cols) {
    int pc = packedCols(cols);
    int[] out = new int[Math.multiplyExact(rows, pc)];
    for (int r = 0; r < rows; r++) packRow(src, offset + r * cols, cols, out, r * pc);
    return out;
  }

  /** dst ints [d, d + packedCols(n)) = the row src (n) at s, rounded and packed as {@link #packRows} packs each row. */
  public static void packRow(float[] src, int s, int n, int[] dst, int d) {
    for (int c = 0; c < n; c += 2) {
      int lo = fromFloat(src[s + c]);
      int hi = c + 1 < n ? fromFloat(src[s + c + 1]) : 0;
      dst[d + c / 2] = lo | (hi << 16);
    }
  }

  /** Element (r, c) of a packed matrix (rows, packedCols(cols)) at {@code offset}, widened. */
  public static float unpack(int[] packed, int offset, int cols, int r, int c) {
    int word = packed[offset + r * packedCols(cols) + c / 2];
    return toFloat((c & 1) == 0 ? word & 0xFFFF : word >>> 16);
  }
}
