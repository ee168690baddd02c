package dev.jgpt.cli;

import dev.jgpt.kernels.BackendProvider;
import dev.jgpt.kernels.Backends;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code jgpt devices}: every compute backend on the class path (ServiceLoader), whether it can run
 * here and why not, and its devices with their memory, numbered as {@code --device} takes them.
 */
@Command(
    name = "devices",
    mixinStandardHelpOptions = true,
    description = "List the compute backends (cpu, reference, tornado) and their devices with memory.")
final class DevicesCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    print(Backends.providers(), System.out);
    return 0;
  }

  /** One block per backend: its name and status, then one indented line per device. */
  static void print(List<BackendProvider> providers, PrintStream out) {
    for (BackendProvider p : providers) {
      String why = p.unavailableReason();
      out.println(p.name() + (why == null ? "" : ": unavailable: " + why));
      if (why != null) continue;
      List<String> devices = p.devices();
      if (devices.isEmpty()) out.println("  (no devices)");
      for (String d : devices) out.println("  " + d);
    }
    if (providers.stream().noneMatch(p -> p.name().equals("tornado"))) {
      out.println("tornado: " + Backends.TORNADO_NOT_BUILT_IN);
    }
  }
}
