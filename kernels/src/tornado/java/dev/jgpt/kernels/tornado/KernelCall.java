package dev.jgpt.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** One kernel call with its arguments bound, submitted to a {@link KernelSink}. */
@FunctionalInterface
interface KernelCall {
  /**
   * Submits the call over the float arena m and int arena ix; ctx is a fresh KernelContext for
   * kernels that take one (null on the host, where their CPU twin runs instead).
   */
  void submit(KernelSink sink, FloatArray m, IntArray ix, KernelContext ctx);
}
