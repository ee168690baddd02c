package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import java.util.Locale;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * What the device can hold: its largest single allocation and its global memory, from the device
 * or from {@code -Djgpt.tornado.maxAllocation} and {@code -Djgpt.tornado.deviceMemory} (sizes like
 * {@code 64m}, {@code 12g}: for tests, and for drivers that report wrong values). Each kind of the
 * float arena (parameters, gradients, optimizer state, activations) is one device buffer, so a
 * model one of whose kinds does not fit in one allocation fails at allocation with one line saying
 * which kind needs how much.
 *
 * @param maxAllocation bytes one device buffer may have
 * @param globalMemory bytes of device memory
 */
record DeviceMemory(long maxAllocation, long globalMemory) {
  /** No limit: tests of the backend's logic without a device. */
  static final DeviceMemory UNLIMITED = new DeviceMemory(Long.MAX_VALUE, Long.MAX_VALUE);

  static DeviceMemory of(TornadoDevice device) {
    long alloc = SizeProperty.bytes("jgpt.tornado.maxAllocation", device == null ? Long.MAX_VALUE : device.getMaxAllocMemory());
    long global = SizeProperty.bytes("jgpt.tornado.deviceMemory", device == null ? Long.MAX_VALUE : device.getMaxGlobalMemory());
    return new DeviceMemory(alloc <= 0 ? Long.MAX_VALUE : alloc, global <= 0 ? Long.MAX_VALUE : global);
  }

  /**
   * Fails with one line when arena grown by addFloats floats of kind (null: none) and addInts ints
   * would not fit: when that kind's array (one device buffer) or the int array passes the device's
   * largest allocation, or everything together its memory; what names the buffer being allocated.
   */
  void checkFits(Arena arena, BufferKind kind, long addFloats, long addInts, String what, String deviceName) {
    if (kind != null) {
      long kindBytes = 4L * (arena.floatsUsed(kind) + addFloats);
      if (kindBytes > maxAllocation) {
        boolean perBatch = kind == BufferKind.ACTIVATIONS;
        throw new IllegalArgumentException(String.format(Locale.ROOT, "the model does not fit on %s: its %s need %s"
            + " in one device buffer (at \"%s\"), and the device allows %s per buffer; %s", deviceName,
            Arena.kindName(kind), human(kindBytes), what, human(maxAllocation), perBatch
                ? "lower --batch-size or --block-size, or use a smaller model" : "use a smaller model"));
      }
    }
    long intBytes = 4L * (arena.intsUsed() + addInts);
    if (intBytes > maxAllocation) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "the model does not fit on %s: its token ids need"
          + " %s in one device buffer (at \"%s\"), and the device allows %s per buffer; lower --batch-size or"
          + " --block-size", deviceName, human(intBytes), what, human(maxAllocation)));
    }
    long total = arena.bytesUsed() + 4L * addFloats + 4L * addInts;
    if (total > globalMemory) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "the model does not fit on %s: it needs %s of"
          + " device memory (at \"%s\") and the device has %s; lower --batch-size or --block-size, or use a smaller"
          + " model", deviceName, human(total), what, human(globalMemory)));
    }
  }

  static String human(long bytes) {
    if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    if (bytes >= 1L << 20) return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
  }
}
