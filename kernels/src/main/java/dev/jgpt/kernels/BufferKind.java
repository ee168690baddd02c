package dev.jgpt.kernels;

/**
 * What a float buffer holds, told to {@link Backend#allocFloat(String, int, BufferKind)}. Heap
 * backends ignore it; a device backend keeps each kind in its own device allocation, so no single
 * allocation has to hold the whole model (devices cap one allocation, e.g. at a quarter of their
 * memory) and a kernel gets each kind's array once.
 */
public enum BufferKind {
  /** Model weights. */
  PARAMETERS,
  /** Parameter gradients. */
  GRADIENTS,
  /** Optimizer moments (Adam m and v). */
  OPTIMIZER_STATE,
  /** Everything else: activations, activation gradients, step scalars, KV cache, work space. */
  ACTIVATIONS
}
