package dev.jgpt.kernels.tornado;

import java.util.Locale;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * What the device can hold: its largest single allocation and its global memory, from the device
 * or from {@code -Djgpt.tornado.maxAllocation} and {@code -Djgpt.tornado.deviceMemory} (sizes like
 * {@code 64m}, {@code 12g}: for tests, and for drivers that report wrong values). The float arena is
 * one device buffer, so a model whose buffers do not fit in one allocation fails at allocation
 * with one line saying what it needs.
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
   * Fails with one line when the float arena (floats floats, one device buffer) or everything
   * (ints added) does not fit; what names the buffer that was being allocated.
   */
  void checkFits(long floats, long ints, String what, String deviceName) {
    long arenaBytes = 4L * floats;
    long total = arenaBytes + 4L * ints;
    if (arenaBytes > maxAllocation) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "the model does not fit on %s: its parameters,"
          + " gradients, optimizer state and activations need %s in one device buffer (at \"%s\"), and the device"
          + " allows %s per buffer; lower --batch-size or --block-size, or use a smaller model", deviceName,
          human(arenaBytes), what, human(maxAllocation)));
    }
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
