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
    String why = PROVIDER.unavailableReason();
    if (why != null) throw new IllegalStateException("TornadoVM tests cannot run: " + why);
    List<TornadoDevices.Entry> devices = TornadoDevices.all();
    TornadoDevices.Entry e = devices.get(Integer.getInteger("jgpt.tornado.device", 0));
    return new TornadoBackend(e.device(), e.name(), compileFirstRun, eagerOnDevice,
        TornadoBackendProvider.tiledMatmul(e));
  }
}
