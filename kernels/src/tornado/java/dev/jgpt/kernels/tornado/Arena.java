package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The host copy of every buffer of a {@link TornadoBackend}: one {@link FloatArray} per
 * {@link BufferKind} (parameters, gradients, optimizer state, activations) and one
 * {@link IntArray} for all ints; a buffer is a range of its kind's array.
 *
 * <p>Why one array per kind: TornadoVM tracks device copies per Java object and task graph, and a
 * task must not receive the same object twice (its dependency graph then waits on itself); and a
 * device caps one allocation (a quarter of memory on NVIDIA's OpenCL) and Java caps an array at
 * 2^31 elements. So each kind is its own device allocation, checked on its own against the
 * device's largest allocation ({@link DeviceMemory}), and the task graphs of all steps share each
 * kind's single device copy (see {@link DevicePlan}).
 *
 * <p><b>Kernel convention</b> (every kernel follows it, so a kernel written for one array converts
 * mechanically): a kernel takes one FloatArray per <i>role group</i>, fixed by the kernel: the
 * tensors it reads and writes are split into groups that may share one array (e.g. layernorm
 * forward: {@code acts} = out, mean, rstd, inp; {@code params} = weight, bias), each group's array
 * appears once in the argument list, in the order {@code (ix?, first group, second group, ...)},
 * then one int offset per tensor ({@code xo} for tensor x, into its group's array), then dims and
 * constants. The launcher passes each group the array of the kind its tensors live in
 * ({@link ArenaArrays#of}); the groups of one launch must be in distinct kinds and each group in
 * one kind ({@link KindCheck}), which the model's allocation kinds satisfy. A kernel over one group
 * (elementwise, attention, softmax) runs on whichever kind its tensors share.
 *
 * <p>Growing replaces an array (a new {@link #generation}); plans built on older arrays are
 * rebuilt. Buffers are allocated at setup, so this happens before the first step in practice.
 */
final class Arena {
  private static final int KINDS = BufferKind.values().length;
  private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 64;

  private final FloatArray[] floats = new FloatArray[KINDS]; // one per BufferKind ordinal
  private final int[] floatsUsed = new int[KINDS];
  private IntArray ints = new IntArray(1);
  private int intsUsed;
  private int generation;

  Arena() {
    for (int k = 0; k < KINDS; k++) floats[k] = new FloatArray(1);
  }

  FloatArray floats(BufferKind kind) {
    return floats[kind.ordinal()];
  }

  IntArray ints() {
    return ints;
  }

  /** The arrays the kernels take, as they are now. */
  ArenaArrays arrays() {
    return new ArenaArrays(floats(BufferKind.PARAMETERS), floats(BufferKind.GRADIENTS),
        floats(BufferKind.OPTIMIZER_STATE), floats(BufferKind.ACTIVATIONS), ints);
  }

  /** Floats of kind in use (the device copy holds exactly these after {@link #trim}). */
  int floatsUsed(BufferKind kind) {
    return floatsUsed[kind.ordinal()];
  }

  /** Floats in use over all kinds. */
  long floatsUsed() {
    long sum = 0;
    for (int used : floatsUsed) sum += used;
    return sum;
  }

  int intsUsed() {
    return intsUsed;
  }

  /** Bytes of every device copy in use: all kinds and the ints. */
  long bytesUsed() {
    return 4L * floatsUsed() + 4L * intsUsed;
  }

  /** Changes whenever an array is replaced. */
  int generation() {
    return generation;
  }

  /** Reserves n zeroed floats of kind; returns their offset in that kind's array. */
  int reserveFloats(BufferKind kind, int n, String what) {
    int k = kind.ordinal();
    long end = (long) floatsUsed[k] + n;
    if (end > MAX_ELEMENTS) {
      throw new IllegalArgumentException("TornadoVM backend: " + what + " (" + n + " floats) does not fit: the "
          + kindName(kind) + " share one device array of at most 2^31 floats; use a smaller model or batch");
    }
    if (end > floats[k].getSize()) floats[k] = grown(floats[k], (int) end);
    int offset = floatsUsed[k];
    floatsUsed[k] = (int) end;
    return offset;
  }

  /** Reserves n zeroed ints; returns their offset. */
  int reserveInts(int n, String what) {
    long end = (long) intsUsed + n;
    if (end > MAX_ELEMENTS) {
      throw new IllegalArgumentException("TornadoVM backend: " + what + " (" + n + " ints) does not fit in the int arena");
    }
    if (end > ints.getSize()) ints = grown(ints, (int) end);
    int offset = intsUsed;
    intsUsed = (int) end;
    return offset;
  }

  /** Drops unused capacity, so uploads move only buffers (called before a device plan is built). */
  void trim() {
    for (int k = 0; k < KINDS; k++) {
      int f = Math.max(1, floatsUsed[k]);
      if (floats[k].getSize() != f) floats[k] = resized(floats[k], f);
    }
    int i = Math.max(1, intsUsed);
    if (ints.getSize() != i) ints = resized(ints, i);
  }

  /** How messages name a kind: "parameters", "gradients", "optimizer state", "activations". */
  static String kindName(BufferKind kind) {
    return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
  }

  // ---------------------------------------------------------------- host copies

  void writeFloats(BufferKind kind, int offset, float[] src, int srcOffset, int len) {
    MemorySegment.copy(src, srcOffset, floats(kind).getSegment(), ValueLayout.JAVA_FLOAT, 4L * offset, len);
  }

  void readFloats(BufferKind kind, int offset, float[] dst, int dstOffset, int len) {
    MemorySegment.copy(floats(kind).getSegment(), ValueLayout.JAVA_FLOAT, 4L * offset, dst, dstOffset, len);
  }

  void writeInts(int offset, int[] src, int srcOffset, int len) {
    MemorySegment.copy(src, srcOffset, ints.getSegment(), ValueLayout.JAVA_INT, 4L * offset, len);
  }

  void readInts(int offset, int[] dst, int dstOffset, int len) {
    MemorySegment.copy(ints.getSegment(), ValueLayout.JAVA_INT, 4L * offset, dst, dstOffset, len);
  }

  // ---------------------------------------------------------------- growth

  private FloatArray grown(FloatArray old, int needed) {
    return resized(old, (int) Math.min(MAX_ELEMENTS, Math.max(needed, old.getSize() * 3L / 2)));
  }

  private IntArray grown(IntArray old, int needed) {
    return resized(old, (int) Math.min(MAX_ELEMENTS, Math.max(needed, old.getSize() * 3L / 2)));
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
