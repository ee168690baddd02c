package dev.jgpt.kernels;

/**
 * Finds and creates a backend; implementations are listed in
 * {@code META-INF/services/dev.jgpt.kernels.BackendProvider}, so the TornadoVM backend plugs in
 * without the rest of jgpt depending on it.
 */
public interface BackendProvider {

  /** "cpu", "reference", "tornado". */
  String name();

  /** Null when the backend can run here; otherwise one line saying why not (for --backend auto). */
  String unavailableReason();

  /**
   * Null when {@code --backend auto} should pick this backend over the CPU backend; otherwise one
   * line saying why not (a CPU OpenCL device such as PoCL runs slower than the CPU backend).
   */
  default String notPreferredOverCpuReason() {
    return null;
  }

  /** Devices this backend can use, one line each with memory ("0: NVIDIA H100, 80 GiB"). */
  java.util.List<String> devices();

  /** Creates the backend on device {@code device} with {@code threads} host threads (0 = all cores). */
  Backend create(int device, int threads);
}
