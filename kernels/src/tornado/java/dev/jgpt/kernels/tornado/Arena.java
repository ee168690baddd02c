package dev.jgpt.kernels.tornado;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The host copy of every buffer of a {@link TornadoBackend}: all floats in one {@link FloatArray},
 * all ints in one {@link IntArray}; a buffer is a range of one of them.
 *
 * <p>Why one array: TornadoVM tracks device copies per Java object and task graph, and a task must
 * not receive the same object twice (its dependency graph then waits on itself). With one float
 * object every kernel takes the arena once plus offsets, so any slices may alias, and the task
 * graphs of all steps share the arena's single device copy (see {@link DevicePlan}).
 *
 * <p>Growing replaces the arrays (a new {@link #generation}); plans built on older arrays are
 * rebuilt. Buffers are allocated at setup, so this happens before the first step in practice.
 */
final class Arena {
  private FloatArray floats = new FloatArray(1);
  private int floatsUsed;
  private IntArray ints = new IntArray(1);
  private int intsUsed;
  private int generation;

  FloatArray floats() {
    return floats;
  }

  IntArray ints() {
    return ints;
  }

  /** Floats in use (the device copy holds exactly these after {@link #trim}). */
  int floatsUsed() {
    return floatsUsed;
  }

  int intsUsed() {
    return intsUsed;
  }

  /** Changes whenever an array is replaced. */
  int generation() {
    return generation;
  }

  /** Reserves n zeroed floats; returns their offset. */
  int reserveFloats(int n, String what) {
    long end = (long) floatsUsed + n;
    if (end > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("TornadoVM backend: " + what + " (" + n + " floats) does not fit: all float"
          + " buffers share one device array of at most 2^31 floats; use a smaller model or batch");
    }
    if (end > floats.getSize()) floats = grown(floats, (int) end);
    int offset = floatsUsed;
    floatsUsed = (int) end;
    return offset;
  }

  /** Reserves n zeroed ints; returns their offset. */
  int reserveInts(int n, String what) {
    long end = (long) intsUsed + n;
    if (end > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("TornadoVM backend: " + what + " (" + n + " ints) does not fit in the int arena");
    }
    if (end > ints.getSize()) ints = grown(ints, (int) end);
    int offset = intsUsed;
    intsUsed = (int) end;
    return offset;
  }

  /** Drops unused capacity, so uploads move only buffers (called before a device plan is built). */
  void trim() {
    int f = Math.max(1, floatsUsed);
    if (floats.getSize() != f) floats = resized(floats, f);
    int i = Math.max(1, intsUsed);
    if (ints.getSize() != i) ints = resized(ints, i);
  }

  // ---------------------------------------------------------------- host copies

  void writeFloats(int offset, float[] src, int srcOffset, int len) {
    MemorySegment.copy(src, srcOffset, floats.getSegment(), ValueLayout.JAVA_FLOAT, 4L * offset, len);
  }

  void readFloats(int offset, float[] dst, int dstOffset, int len) {
    MemorySegment.copy(floats.getSegment(), ValueLayout.JAVA_FLOAT, 4L * offset, dst, dstOffset, len);
  }

  void writeInts(int offset, int[] src, int srcOffset, int len) {
    MemorySegment.copy(src, srcOffset, ints.getSegment(), ValueLayout.JAVA_INT, 4L * offset, len);
  }

  void readInts(int offset, int[] dst, int dstOffset, int len) {
    MemorySegment.copy(ints.getSegment(), ValueLayout.JAVA_INT, 4L * offset, dst, dstOffset, len);
  }

  // ---------------------------------------------------------------- growth

  private FloatArray grown(FloatArray old, int needed) {
    return resized(old, (int) Math.min(Integer.MAX_VALUE - 64, Math.max(needed, old.getSize() * 3L / 2)));
  }

  private IntArray grown(IntArray old, int needed) {
    return resized(old, (int) Math.min(Integer.MAX_VALUE - 64, Math.max(needed, old.getSize() * 3L / 2)));
  }

  private FloatArray resized(FloatArray old, int size) {
    FloatArray a = new FloatArray(size);
    a.init(0f);
    long bytes = 4L * Math.min(size, old.getSize());
    MemorySegment.copy(old.getSegment(), 0, a.getSegment(), 0, bytes);
    generation++;
    return a;
  }

  private IntArray resized(IntArray old, int size) {
    IntArray a = new IntArray(size);
    a.init(0);
    long bytes = 4L * Math.min(size, old.getSize());
    MemorySegment.copy(old.getSegment(), 0, a.getSegment(), 0, bytes);
    generation++;
    return a;
  }
}
