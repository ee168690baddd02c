package dev.jgpt.kernels.tornado;

import java.util.List;

/** Opens TornadoVM backends for the tests (device from -Djgpt.tornado.device, default 0). */
final class TornadoTesting {
  private TornadoTesting() {}

  static final TornadoBackendProvider PROVIDER = new TornadoBackendProvider();

  /** Fails with the provider's reason when TornadoVM cannot run: the profile's tests need it. */
  static TornadoBackend backend(boolean compileFirstRun) {
    return backend(compileFirstRun, false);
  }

  static TornadoBackend backend(boolean compileFirstRun, boolean eagerOnDevice) {
    return backend(compileFirstRun, eagerOnDevice, TornadoBackendProvider.tiledMatmul(device()));
  }

  /** A backend with the matmul kernel chosen by the test (tiled KernelContext GEMM or loops). */
  static TornadoBackend backend(boolean compileFirstRun, boolean eagerOnDevice, boolean tiledMatmul) {
    TornadoDevices.Entry e = device();
    return new TornadoBackend(e.device(), e.name(), compileFirstRun, eagerOnDevice, tiledMatmul);
  }

  /** The device the tests run on (-Djgpt.tornado.device, default 0); fails when TornadoVM cannot run. */
  static TornadoDevices.Entry device() {
    String why = PROVIDER.unavailableReason();
    if (why != null) throw new IllegalStateException("TornadoVM tests cannot run: " + why);
    List<TornadoDevices.Entry> devices = TornadoDevices.all();
    return devices.get(Integer.getInteger("jgpt.tornado.device", 0));
  }
}
