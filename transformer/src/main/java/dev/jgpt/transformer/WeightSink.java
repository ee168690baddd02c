package dev.jgpt.transformer;

import java.io.IOException;

/**
 * Where weights read from a file go, one tensor at a time: {@code data[from .. from + length)}
 * into the flat parameter layout at {@code offset}. Loading a large model straight into its
 * backend buffer this way holds one tensor on the heap at a time instead of a second copy of all
 * the weights.
 */
@FunctionalInterface
public interface WeightSink {
  void write(int offset, float[] data, int from, int length) throws IOException;

  /** A sink into a host array laid out like the model's parameters. */
  static WeightSink into(float[] params) {
    return (offset, data, from, length) -> System.arraycopy(data, from, params, offset, length);
  }

  /** What a loader writes into a sink. */
  @FunctionalInterface
  interface Source {
    void writeTo(WeightSink sink) throws IOException;
  }
}
