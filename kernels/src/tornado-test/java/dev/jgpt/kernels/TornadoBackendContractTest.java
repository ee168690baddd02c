package dev.jgpt.kernels;

import dev.jgpt.kernels.tornado.TornadoBackendProvider;

/**
 * The backend contract on the TornadoVM device: ops outside steps run on the device as one-op
 * graphs (jgpt.tornado.eagerOnDevice), so every assertion checks device results.
 */
class TornadoBackendContractTest extends BackendContractTest {
  @Override
  Backend create() {
    System.setProperty("jgpt.tornado.eagerOnDevice", "true");
    try {
      TornadoBackendProvider provider = new TornadoBackendProvider();
      String why = provider.unavailableReason();
      if (why != null) throw new IllegalStateException("TornadoVM tests cannot run: " + why);
      return provider.create(Integer.getInteger("jgpt.tornado.device", 0), 0);
    } finally {
      System.clearProperty("jgpt.tornado.eagerOnDevice");
    }
  }
}
