package dev.jgpt.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;

/** One kernel call with its arguments bound, submitted to a {@link KernelSink}. */
@FunctionalInterface
interface KernelCall {
  /**
   * Submits the call over the arena's arrays a (the launcher picks each role group's array by
   * kind, see {@link Arena}); ctx is a fresh KernelContext for kernels that take one (null on the
   * host, where their CPU twin runs instead).
   */
  void submit(KernelSink sink, ArenaArrays a, KernelContext ctx);
}
