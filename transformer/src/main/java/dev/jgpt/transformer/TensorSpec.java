package dev.jgpt.transformer;

import java.util.Arrays;

/**
 * One tensor of the flat parameter buffer: its nanoGPT name ("h.0.attn.c_attn.weight"), where it
 * starts, its shape (row-major, PyTorch's (out, in) for linear weights) and whether AdamW decays it
 * (2-D weights yes, biases and layer-norm weights no).
 */
public record TensorSpec(String name, int offset, int[] shape, boolean decay) {

  public TensorSpec {
    shape = shape.clone();
  }

  /** The shape (a copy: callers cannot change the layout). */
  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** Number of floats. */
  public int size() {
    int n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  /** One past the last float of this tensor. */
  public int end() {
    return offset + size();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t
        && t.name.equals(name) && t.offset == offset && Arrays.equals(t.shape, shape) && t.decay == decay;
  }

  @Override
  public int hashCode() {
    return (name.hashCode() * 31 + offset) * 31 + Arrays.hashCode(shape) * 2 + (decay ? 1 : 0);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape) + "@" + offset + (decay ? " decay" : "");
  }
}
