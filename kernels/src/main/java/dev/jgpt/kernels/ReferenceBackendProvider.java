package dev.jgpt.kernels;

import java.util.List;

/** {@code --backend reference}: the scalar specification, always available. */
public final class ReferenceBackendProvider implements BackendProvider {
  @Override
  public String name() {
    return "reference";
  }

  @Override
  public String unavailableReason() {
    return null;
  }

  @Override
  public List<String> devices() {
    return List.of("0: this CPU, 1 thread (scalar reference)");
  }

  @Override
  public Backend create(int device, int threads) {
    if (device != 0) throw new IllegalArgumentException("reference backend has only device 0, got " + device);
    return new ReferenceBackend();
  }
}
