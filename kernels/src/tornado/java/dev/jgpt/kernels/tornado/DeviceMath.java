package dev.jgpt.kernels.tornado;

import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoDeviceType;

/**
 * How the OpenCL compiler may round: TornadoVM builds every kernel with
 * {@code -cl-mad-enable -cl-fast-relaxed-math}, which lets the device compiler fuse any multiply
 * and add, reassociate sums and use approximate division, square root, exp and log; the sums then
 * follow no order the CPU backend can share. Strict: only {@code -w}, so each kernel rounds as its
 * Java says, plus the one fma TornadoVM writes for every {@code a * b + c} (tornado.enable.fma),
 * which the kernels count on where the CPU backend fuses. Strict is the default on CPU OpenCL
 * devices (PoCL), where the loop kernels then give the CPU backend's floats (TornadoVsCpuTest); its
 * cost in kernel time has not been measured. GPUs keep TornadoVM's fast flags.
 * {@code -Djgpt.tornado.math=strict|relaxed|auto} chooses.
 */
final class DeviceMath {
  private DeviceMath() {}

  /** The OpenCL build options of strict math: warnings off, nothing relaxed. */
  static final String STRICT_FLAGS = "-w";

  /** The OpenCL build options for kernels on device, or null for TornadoVM's own (relaxed). */
  static String compilerFlags(TornadoDevice device) {
    String choice = System.getProperty("jgpt.tornado.math", "auto");
    return switch (choice) {
      case "strict" -> STRICT_FLAGS;
      case "relaxed" -> null;
      case "auto" -> device != null && device.getDeviceType() == TornadoDeviceType.CPU ? STRICT_FLAGS : null;
      default -> throw new IllegalArgumentException("-Djgpt.tornado.math=" + choice
          + " is not a choice: use strict, relaxed or auto (strict on CPU OpenCL devices)");
    };
  }
}
