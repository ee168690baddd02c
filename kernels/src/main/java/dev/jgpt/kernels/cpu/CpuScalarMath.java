package dev.jgpt.kernels.cpu;

/**
 * The CPU backend's element functions for one float: each gives the bits a vector lane of the
 * CPU kernels gives; and the CPU's order of a sum where another backend must match it. Public for the TornadoVM backend's host twins, which must round as the CPU
 * backend does (its device kernels carry their own copies: TornadoVM cannot compile Math.fma).
 */
public final class CpuScalarMath {
  private CpuScalarMath() {}

  /** exp(x) for x <= 0, as softmax, cross-entropy and attention take it (VectorMath.expNonPositive). */
  public static float expNonPositive(float x) {
    return VectorMath.expNonPositive(x);
  }

  /** GELU (tanh approximation) of x, as geluForward (CpuPointwise.geluOf). */
  public static float gelu(float x) {
    return CpuPointwise.geluOf(x);
  }

  /**
   * Rows per block of the layer norm's weight and bias gradient sums over N rows
   * (CpuLayernorm.rowBlock): each block's rows are summed from 0, then the blocks' sums are added
   * to the gradient in block order.
   */
  public static int layernormGradientRowBlock(int N) {
    return CpuLayernorm.rowBlock(N);
  }

  /** GELU'(x), as geluBackward multiplies dout by (CpuPointwise.geluGradient). */
  public static float geluGradient(float x) {
    return CpuPointwise.geluGradient(x);
  }
}
