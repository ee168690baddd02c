package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import jdk.incubator.vector.FloatVector;

/**
 * What {@link Gemm} does to a finished block of C rows (its last K block just done), while the
 * block is still in L2: GELU for the MLP's first matmul, GELU's gradient for the backward of its
 * second. Each saves the element-wise op's separate pass over an (N, 4C) tensor in memory. The
 * element functions are {@link CpuPointwise}'s, vector and scalar, which give the same bits per
 * element in any grouping: the results equal the two ops run one after the other.
 */
enum GemmEpilogue {
  /** C as the products left it. */
  NONE,
  /** out = GELU(C), C kept: the matmul's output is GELU's input, which the backward pass needs. */
  GELU,
  /** C = GELU'(pre) * C in place: C is the gradient of GELU's output, pre its input. */
  GELU_GRADIENT;

  /**
   * Applies this epilogue to the rows x cols of C at c[ci] (row stride ld); the other operand
   * (GELU's output, or its input) is the same block of x, at x[xi] with the same row stride.
   */
  void apply(float[] c, int ci, float[] x, int xi, int ld, int rows, int cols) {
    switch (this) {
      case NONE -> {}
      case GELU -> { for (int r = 0; r < rows; r++) geluRow(c, ci + r * ld, x, xi + r * ld, cols); }
      case GELU_GRADIENT -> { for (int r = 0; r < rows; r++) geluGradientRow(c, ci + r * ld, x, xi + r * ld, cols); }
    }
  }

  // out[oi .. oi+n) = GELU(c[ci .. ci+n))
  private static void geluRow(float[] c, int ci, float[] out, int oi, int n) {
    int j = 0;
    FloatVector negativeZero = FloatVector.broadcast(S, -0f);
    for (; j + L <= n; j += L) {
      // -0 + g = g: the helper's result stored through a known receiver (see Vec)
      negativeZero.add(CpuPointwise.geluOf(FloatVector.fromArray(S, c, ci + j))).intoArray(out, oi + j);
    }
    // a scalar tail with the vector lanes' bits (a second vector call site would be cold and box)
    for (; j < n; j++) out[oi + j] = CpuPointwise.geluOf(c[ci + j]);
  }

  // d[di .. di+n) = GELU'(pre[pi .. pi+n)) * d[di .. di+n), in geluBackward's order
  private static void geluGradientRow(float[] d, int di, float[] pre, int pi, int n) {
    int j = 0;
    for (; j + L <= n; j += L) {
      FloatVector g = CpuPointwise.geluGradient(FloatVector.fromArray(S, pre, pi + j));
      FloatVector.fromArray(S, d, di + j).mul(g).intoArray(d, di + j); // g * d turned round (known receiver, see Vec)
    }
    for (; j < n; j++) d[di + j] = CpuPointwise.geluGradient(pre[pi + j]) * d[di + j];
  }
}
