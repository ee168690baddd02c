package dev.jgpt.kernels.tornado;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** Kernels that move host writes into the device arena (see {@link DevicePlan}). */
public final class TransferKernels {
  private TransferKernels() {}

  // m unchanged: the one task of the graph that uploads the whole arena (a graph needs a task)
  public static void keep(FloatArray m) {
    for (@Parallel int one = 0; one < 1; one++) {
      if (m.get(0) != m.get(0)) m.set(0, m.get(0)); // NaN stays NaN; never changes a value
    }
  }

  // m[index[1 + i]] = values[i] for i < index[0] <= capacity: small host writes (learning rate,
  // step counters) applied on the device without moving the arena
  public static void scatter(FloatArray m, FloatArray values, IntArray index, int capacity) {
    for (@Parallel int i = 0; i < capacity; i++) {
      if (i < index.get(0)) m.set(index.get(1 + i), values.get(i));
    }
  }
}
