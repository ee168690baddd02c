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

  /**
   * These arrays for the kinds in keep, and a one-float stand-in (zero, never read) for each other
   * kind: what a plan that does not touch those kinds builds its graphs on.
   */
  ArenaArrays keeping(java.util.Set<BufferKind> keep) {
    return new ArenaArrays(kept(keep, BufferKind.PARAMETERS), kept(keep, BufferKind.GRADIENTS),
        kept(keep, BufferKind.OPTIMIZER_STATE), kept(keep, BufferKind.ACTIVATIONS), ints);
  }

  private FloatArray kept(java.util.Set<BufferKind> keep, BufferKind kind) {
    if (keep.contains(kind)) return of(kind);
    FloatArray standIn = new FloatArray(1);
    standIn.init(0f);
    return standIn;
  }

  /** Whether both hold the very same int array and float arrays of kinds (TornadoVM tracks copies per object). */
  boolean sameFor(java.util.Set<BufferKind> kinds, ArenaArrays o) {
    if (ints != o.ints) return false;
    for (BufferKind k : kinds) {
      if (of(k) != o.of(k)) return false;
    }
    return true;
  }

  /** The float arrays in BufferKind order (each once: what every device graph consumes and persists). */
  FloatArray[] floats() {
    return new FloatArray[] {params, grads, moments, acts};
  }
}
