package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.BackendProvider;
import java.util.List;

/**
 * {@code --backend tornado}. Loads without TornadoVM: nothing here touches a TornadoVM class until
 * {@link #unavailableReason} has found the runtime on the module path (a JVM started through the
 * SDK's argfile, as ./jgpt does when TORNADOVM_HOME is set).
 *
 * <p>System properties: {@code jgpt.tornado.compileFirstRun} (compile a step's graph on its first
 * run instead of running that run on the host), {@code jgpt.tornado.eagerOnDevice} (ops outside
 * steps run on the device; the kernel tests use it), {@code jgpt.tornado.matmul} = {@code tiled},
 * {@code loops} or {@code auto} (default: loops on CPU OpenCL devices, tiled elsewhere; despite the
 * name it chooses every GPU-shaped kernel: tiled GEMM, row kernels in work groups, blocked column sums),
 * {@code jgpt.tornado.deviceMemory} and {@code jgpt.tornado.maxAllocation} (sizes such as
 * {@code 12g}: the device's memory and largest buffer, instead of what the driver reports),
 * {@code jgpt.tornado.tasksPerGraph} (launches per task graph, at most 80; tests use fewer).
 */
public final class TornadoBackendProvider implements BackendProvider {
  static {
    // Before TornadoVM reads its options: a kernel that fails to compile is an error, never a
    // silent run in Java; and a whole training step fits in one graph's bytecode buffer.
    System.getProperties().putIfAbsent("tornado.recover.bailout", "False");
    System.getProperties().putIfAbsent("tornado.tvm.maxbytecodesize", "65536");
    // TornadoVM's own device-memory budget (default 4 GB, read once at start-up, before any device
    // is known): -Djgpt.tornado.deviceMemory when given, else no budget of its own, since the
    // backend checks each allocation against the device's real memory (DeviceMemory).
    long budget = 1L << 40;
    try {
      budget = SizeProperty.bytes("jgpt.tornado.deviceMemory", budget);
    } catch (IllegalArgumentException e) {
      // DeviceMemory.of reports the bad value in one line when the backend opens
    }
    System.getProperties().putIfAbsent("tornado.device.memory", Long.toString(budget));
  }

  private static String unavailable;
  private static boolean probed;

  @Override
  public String name() {
    return "tornado";
  }

  @Override
  public synchronized String unavailableReason() {
    if (!probed) {
      probed = true;
      unavailable = probe();
    }
    return unavailable;
  }

  private static String probe() {
    try {
      Class.forName("uk.ac.manchester.tornado.api.TornadoExecutionPlan", false,
          TornadoBackendProvider.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return "TornadoVM is not loaded in this JVM: set TORNADOVM_HOME to the SDK and start jgpt with ./jgpt "
          + "(it launches through the SDK's argfile)";
    }
    try {
      if (TornadoDevices.all().isEmpty()) {
        return "TornadoVM found no device: check the drivers with `$TORNADOVM_HOME/bin/tornado --devices`";
      }
      return null;
    } catch (RuntimeException | LinkageError e) {
      return "the TornadoVM runtime failed to start: " + e;
    }
  }

  /** Auto skips a CPU OpenCL device (PoCL): it runs the same kernels slower than the cpu backend. */
  @Override
  public String notPreferredOverCpuReason() {
    if (unavailableReason() != null) return unavailableReason();
    TornadoDevices.Entry first = TornadoDevices.all().get(0);
    return first.cpu() ? "device 0 (" + first.name() + ") is a CPU OpenCL device, slower than the cpu backend; "
        + "use --backend tornado to run on it anyway" : null;
  }

  @Override
  public List<String> devices() {
    if (unavailableReason() != null) return List.of();
    return TornadoDevices.all().stream().map(TornadoDevices.Entry::line).toList();
  }

  /** threads is ignored: the device decides its parallelism. */
  @Override
  public Backend create(int device, int threads) {
    String why = unavailableReason();
    if (why != null) throw new IllegalStateException("backend tornado cannot run here: " + why);
    List<TornadoDevices.Entry> all = TornadoDevices.all();
    if (device < 0 || device >= all.size()) {
      throw new IllegalArgumentException("no TornadoVM device " + device + "; there are " + all.size()
          + " (0.." + (all.size() - 1) + "): see `jgpt devices`");
    }
    TornadoDevices.Entry e = all.get(device);
    return new TornadoBackend(e.device(), e.name(), Boolean.getBoolean("jgpt.tornado.compileFirstRun"),
        Boolean.getBoolean("jgpt.tornado.eagerOnDevice"), tiledMatmul(e));
  }

  /** -Djgpt.tornado.matmul: tiled (all work-group kernels), loops, or auto (loops on a CPU device, tiled on others). */
  static boolean tiledMatmul(TornadoDevices.Entry e) {
    String choice = System.getProperty("jgpt.tornado.matmul", "auto");
    return switch (choice) {
      case "tiled" -> true;
      case "loops" -> false;
      case "auto" -> !e.cpu();
      default -> throw new IllegalArgumentException("-Djgpt.tornado.matmul=" + choice + ": use tiled, loops or auto");
    };
  }
}
