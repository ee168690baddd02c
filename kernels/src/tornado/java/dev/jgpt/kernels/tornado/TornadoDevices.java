package dev.jgpt.kernels.tornado;

import java.util.ArrayList;
import java.util.List;
import uk.ac.manchester.tornado.api.TornadoBackend;
import uk.ac.manchester.tornado.api.TornadoRuntime;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoDeviceType;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/** The devices TornadoVM sees, numbered across its backends (OpenCL, PTX, ...) in its order. */
final class TornadoDevices {
  private TornadoDevices() {}

  /** One device: its jgpt number, the TornadoVM handle, a one-line description, whether a CPU. */
  record Entry(int index, TornadoDevice device, String name, String line, boolean cpu) {}

  /** Starts the TornadoVM runtime on first use (about a second). */
  static List<Entry> all() {
    TornadoRuntime runtime = TornadoRuntimeProvider.getTornadoRuntime();
    List<Entry> out = new ArrayList<>();
    for (int b = 0; b < runtime.getNumBackends(); b++) {
      TornadoBackend backend = runtime.getBackend(b);
      for (int d = 0; d < backend.getNumDevices(); d++) {
        TornadoDevice device = backend.getDevice(d);
        String name = device.getPhysicalDevice().getDeviceName() + " (" + backend.getName() + ", "
            + device.getPlatformName().trim() + ")";
        String line = out.size() + ": " + name + ", " + gib(device.getMaxGlobalMemory()) + " global memory";
        out.add(new Entry(out.size(), device, name, line, device.getDeviceType() == TornadoDeviceType.CPU));
      }
    }
    return out;
  }

  private static String gib(long bytes) {
    return String.format("%.1f GiB", bytes / (double) (1L << 30));
  }
}
