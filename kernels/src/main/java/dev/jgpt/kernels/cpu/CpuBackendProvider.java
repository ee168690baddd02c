package dev.jgpt.kernels.cpu;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.BackendProvider;
import java.util.List;

/** {@code --backend cpu} (the default): Vector API kernels on all cores. */
public final class CpuBackendProvider implements BackendProvider {
  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public String unavailableReason() {
    return null;
  }

  @Override
  public List<String> devices() {
    int cores = Runtime.getRuntime().availableProcessors();
    long maxHeap = Runtime.getRuntime().maxMemory() >> 30;
    return List.of("0: this CPU, " + cores + (cores == 1 ? " thread, " : " threads, ") + Vec.S.vectorBitSize() + "-bit vectors, " + maxHeap
        + " GiB Java heap");
  }

  @Override
  public Backend create(int device, int threads) {
    if (device != 0) throw new IllegalArgumentException("the CPU backend has only device 0, got " + device);
    if (threads < 0) throw new IllegalArgumentException("threads must be 0 (all cores) or more, got " + threads);
    return new CpuBackend(threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
  }
}
