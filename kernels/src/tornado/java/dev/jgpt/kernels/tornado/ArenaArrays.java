package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The arena's arrays at one moment, as a launch hands them to its kernel: one float array per
 * {@link BufferKind} and the int array (see {@link Arena} for which array a kernel argument gets).
 */
record ArenaArrays(FloatArray params, FloatArray grads, FloatArray moments, FloatArray acts, IntArray ints) {
  FloatArray of(BufferKind kind) {
    return switch (kind) {
      case PARAMETERS -> params;
      case GRADIENTS -> grads;
      case OPTIMIZER_STATE -> moments;
      case ACTIVATIONS -> acts;
    };
  }

  /** Whether both hold the very same array objects (TornadoVM tracks device copies per object). */
  boolean sameAs(ArenaArrays o) {
    return params == o.params && grads == o.grads && moments == o.moments && acts == o.acts && ints == o.ints;
  }

  /** The float arrays in BufferKind order (each once: what every device graph consumes and persists). */
  FloatArray[] floats() {
    return new FloatArray[] {params, grads, moments, acts};
  }
}
