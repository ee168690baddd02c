package dev.jgpt.kernels.tornado;

import java.util.Arrays;
import java.util.List;

/**
 * One kernel launch recorded from a backend op. Each kernel class builds the launches of its
 * kernels in a launcher written right after the kernel ({@code launchX} after {@code x}), llm.c's
 * kernel-plus-launcher pattern: the one place that knows the kernel's grid and argument order.
 *
 * @param signature what a replay must repeat exactly: op name, buffers, offsets, dimensions and
 *     constants (a captured step bakes them into its task graph)
 * @param usesInts whether the kernel reads the int arena (token ids, positions), which then goes up
 *     with every run of the graph
 * @param device the call as a task of a device task graph
 * @param host the same computation as plain Java (the kernel itself for {@code @Parallel} kernels,
 *     the CPU twin for KernelContext kernels); runs a step's first, recording run and eager ops
 * @param grid the 2-D work grid of a KernelContext kernel ({x, y, localX, localY}), or null for
 *     {@code @Parallel} kernels, whose grid TornadoVM derives from the loop bounds
 * @param prepare host work before every run, e.g. sorting this step's token ids into the int arena
 *     for the embedding backward; or null
 */
record Launch(List<Object> signature, boolean usesInts, KernelCall device, KernelCall host, int[] grid, Runnable prepare) {

  /** A signature from its parts: the op name first, then buffers, offsets, dimensions, constants. */
  static List<Object> sig(Object... parts) {
    return Arrays.asList(parts);
  }

  /** A {@code @Parallel} kernel: the same call on the device and on the host. */
  static Launch parallel(List<Object> signature, KernelCall call) {
    return new Launch(signature, false, call, call, null, null);
  }

  /** A {@code @Parallel} kernel that reads the int arena. */
  static Launch parallelWithInts(List<Object> signature, KernelCall call) {
    return new Launch(signature, true, call, call, null, null);
  }

  /** The op name (first element of the signature), for messages. */
  String op() {
    return (String) signature.getFirst();
  }
}
