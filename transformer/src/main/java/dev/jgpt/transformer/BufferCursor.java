package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.Slice;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Lays tensors out one after another in a flat buffer. A layout method runs twice with it: first
 * with no buffer, to count the floats (slices come back null), then over the allocated buffer.
 */
final class BufferCursor {
  private final FloatBuf buf;
  private long next;

  /** @param buf the buffer to slice, or null for the counting pass */
  BufferCursor(FloatBuf buf) {
    this.buf = buf;
  }

  /**
   * Runs {@code layOut} once to count, allocates a buffer of that size on {@code backend} called
   * {@code name}, and runs {@code layOut} again over it (the pass whose slices the caller keeps).
   * {@code what} names the tensors in the error when they do not fit one buffer.
   */
  static FloatBuf allocate(Backend backend, String name, String what, Consumer<BufferCursor> layOut) {
    FloatBuf buf = backend.allocFloat(name, sizeOrThrow(count(layOut), what));
    layOut.accept(new BufferCursor(buf));
    return buf;
  }

  /**
   * Floats {@code layOut} takes: its counting pass alone, allocating nothing. Memory estimates
   * use it, so they size exactly what {@link #allocate} would.
   */
  static long count(Consumer<BufferCursor> layOut) {
    BufferCursor counting = new BufferCursor(null);
    layOut.accept(counting);
    return counting.position();
  }

  /** The next {@code length} floats. */
  Slice take(long length) {
    long start = next;
    next += length;
    if (buf == null) return null;
    if (next > buf.size()) throw new IllegalStateException("layout overruns " + buf + " at " + next);
    return buf.slice((int) start, (int) length);
  }

  /** The next {@code layers * length} floats as one slice per layer (a (L, ...) tensor). */
  Slice[] takeLayers(int layers, long length) {
    Slice[] slices = new Slice[layers];
    for (int l = 0; l < layers; l++) slices[l] = take(length);
    return slices;
  }

  /**
   * The next {@code length} floats as one tensor that every one of {@code layers} entries names:
   * for a kind each layer writes and reads back before the next layer writes it.
   */
  Slice[] takeShared(int layers, long length) {
    Slice[] slices = new Slice[layers];
    Arrays.fill(slices, take(length));
    return slices;
  }

  /** The already laid-out range [start, end) as one slice (null in the counting pass). */
  Slice span(long start, long end) {
    return buf == null ? null : buf.slice((int) start, (int) (end - start));
  }

  /** Floats laid out so far. */
  long position() {
    return next;
  }

  /**
   * {@code floats} as an int buffer size; IllegalArgumentException (the user chose the shapes)
   * when they exceed what one Java-indexed buffer holds.
   */
  private static int sizeOrThrow(long floats, String what) {
    if (floats > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(what + " need " + floats
          + " floats, more than one buffer holds (2^31-1): lower the batch size or block size");
    }
    return (int) floats;
  }
}
