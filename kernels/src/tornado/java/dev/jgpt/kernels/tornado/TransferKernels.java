package dev.jgpt.kernels.tornado;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Kernels that move host writes into the device arena and keep every kind's array in every graph
 * (see {@link DevicePlan}). The four arrays are the arena's kinds in BufferKind order: p
 * parameters, g gradients, o optimizer state, x activations.
 */
public final class TransferKernels {
  private TransferKernels() {}

  // p, g, o, x unchanged: the one task of a graph that must hold every kind's device buffer (a
  // graph that uploads them, or one whose kernels leave a kind out; TornadoVM passes a device
  // buffer from one graph to the next only through objects the graph's tasks take)
  public static void keep(FloatArray p, FloatArray g, FloatArray o, FloatArray x) {
    for (@Parallel int one = 0; one < 1; one++) {
      // NaN stays NaN; never changes a value
      if (p.get(0) != p.get(0)) p.set(0, p.get(0));
      if (g.get(0) != g.get(0)) g.set(0, g.get(0));
      if (o.get(0) != o.get(0)) o.set(0, o.get(0));
      if (x.get(0) != x.get(0)) x.set(0, x.get(0));
    }
  }

  // for i < index[0] <= capacity: array kind index[1 + 2i] (BufferKind ordinal) at offset
  // index[2 + 2i] = values[i] (capacity): small host writes (learning rate, step counters) applied
  // on the device without moving the arena
  public static void scatter(FloatArray p, FloatArray g, FloatArray o, FloatArray x, FloatArray values, IntArray index,
      int capacity) {
    for (@Parallel int i = 0; i < capacity; i++) {
      if (i < index.get(0)) {
        int kind = index.get(1 + 2 * i);
        int at = index.get(2 + 2 * i);
        float v = values.get(i);
        if (kind == 0) p.set(at, v);
        else if (kind == 1) g.set(at, v);
        else if (kind == 2) o.set(at, v);
        else x.set(at, v);
      }
    }
  }

  // dst[dsto .. dsto + len) = src[srco .. srco + len): a range the host reads after a step, copied
  // into the step's small read-back array (dst), which comes back with the graph's run
  public static void gather(FloatArray src, FloatArray dst, int srco, int dsto, int len) {
    for (@Parallel int i = 0; i < len; i++) {
      dst.set(dsto + i, src.get(srco + i));
    }
  }
}
