package dev.jgpt.kernels.cpu;

/**
 * What {@link Gemm} does to a finished block of C rows (its last K block just done), while the
 * block is still in L2: GELU (and, in training, its slope) for the MLP's first matmul, GELU's
 * gradient (or the product with the kept slope) for the backward of its second. Each saves the
 * element-wise op's separate pass over an (N, 4C) tensor in memory. The rows go through {@link
 * GeluRows}, as the element-wise ops do, which gives the same bits per element in any grouping:
 * the results equal the two ops run one after the other.
 */
enum GemmEpilogue {
  /** C as the products left it. */
  NONE,
  /** out = GELU(C), C kept: the matmul's output is GELU's input, which the backward pass needs. */
  GELU,
  /** C = GELU'(pre) * C in place: C is the gradient of GELU's output, pre its input. */
  GELU_GRADIENT,
  /** out = GELU(C), and C = GELU'(C) in place: GELU's slope for the backward pass ({@link #SLOPE_PRODUCT}). */
  GELU_KEEPING_SLOPE,
  /** C = slope * C in place: C is the gradient of GELU's output, slope what {@link #GELU_KEEPING_SLOPE} kept. */
  SLOPE_PRODUCT;

  /**
   * Applies this epilogue to the rows x cols of C at c[ci] (row stride ld); the other operand
   * (GELU's output, its input, or its slope) is the same block of x, at x[xi] with the same row
   * stride.
   */
  void apply(float[] c, int ci, float[] x, int xi, int ld, int rows, int cols) {
    switch (this) {
      case NONE -> {}
      case GELU -> { for (int r = 0; r < rows; r++) GeluRows.forward(c, ci + r * ld, x, xi + r * ld, cols); }
      case GELU_GRADIENT -> {
        for (int r = 0; r < rows; r++) GeluRows.gradient(x, xi + r * ld, c, ci + r * ld, c, ci + r * ld, cols);
      }
      case GELU_KEEPING_SLOPE -> {
        for (int r = 0; r < rows; r++) GeluRows.forwardKeepingSlope(c, ci + r * ld, x, xi + r * ld, cols);
      }
      case SLOPE_PRODUCT -> {
        for (int r = 0; r < rows; r++) GeluRows.multiplyBySlope(x, xi + r * ld, c, ci + r * ld, cols);
      }
    }
  }
}
