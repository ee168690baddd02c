package dev.jgpt.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds backends by name among the {@link BackendProvider}s on the class path. */
public final class Backends {
  private Backends() {}

  /** The names --backend accepts, whether or not each can run here. */
  public static final List<String> NAMES = List.of("auto", "cpu", "reference", "tornado");

  /** Why --backend tornado cannot run in a build without TornadoVM, and how to get it (devices says it too). */
  public static final String TORNADO_NOT_BUILT_IN = "not built in (set TORNADOVM_HOME to a TornadoVM SDK and run"
      + " ./jgpt again; see docs/tornado.md)";

  /** A provider and one line saying which backend was chosen and why (for the user). */
  public record Choice(BackendProvider provider, String reason) {}

  /** Every provider found, in class-path order. */
  public static List<BackendProvider> providers() {
    List<BackendProvider> all = new ArrayList<>();
    ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).forEach(all::add);
    return all;
  }

  /** The provider called {@code name}; see {@link #choose}. */
  public static BackendProvider provider(String name) {
    return choose(name).provider();
  }

  /**
   * The provider called {@code name}; "auto" picks "tornado" when it can run here and its device
   * is faster than the CPU backend, else "cpu". Fails with the reason when the named backend is
   * missing or cannot run.
   */
  public static Choice choose(String name) {
    List<BackendProvider> all = providers();
    if ("auto".equals(name)) return chooseAuto(all);
    for (BackendProvider p : all) {
      if (p.name().equals(name)) {
        String why = p.unavailableReason();
        if (why != null) throw new IllegalStateException("backend " + name + " cannot run here: " + why);
        return new Choice(p, "backend: " + name + " (chosen with --backend)");
      }
    }
    if (name.equals("tornado")) throw new IllegalStateException("backend tornado cannot run here: " + TORNADO_NOT_BUILT_IN);
    throw new IllegalArgumentException("unknown backend '" + name + "'; available: "
        + String.join(", ", all.stream().map(BackendProvider::name).toList()) + ", auto");
  }

  // Package-private: the tests pass fake providers.
  static Choice chooseAuto(List<BackendProvider> all) {
    String tornadoSkipped = "tornado is not on the class path";
    for (BackendProvider p : all) {
      if (!p.name().equals("tornado")) continue;
      String why = p.unavailableReason();
      if (why == null) why = p.notPreferredOverCpuReason();
      if (why == null) return new Choice(p, "backend: tornado (auto: TornadoVM loaded and has a device)");
      tornadoSkipped = "tornado skipped: " + why;
    }
    for (String fallback : List.of("cpu", "reference")) {
      for (BackendProvider p : all) {
        if (p.name().equals(fallback) && p.unavailableReason() == null) {
          return new Choice(p, "backend: " + fallback + " (auto: " + tornadoSkipped + ")");
        }
      }
    }
    throw new IllegalStateException("no backend can run here");
  }

  /** Creates backend {@code name} on device 0 with {@code threads} threads (0 = all cores). */
  public static Backend open(String name, int threads) {
    return open(choose(name).provider(), 0, threads);
  }

  /**
   * Creates {@code provider}'s backend on device {@code device}, its ops checked
   * ({@link CheckedBackend}); a one-line error when there is no such device.
   */
  public static Backend open(BackendProvider provider, int device, int threads) {
    int count = provider.devices().size();
    if (device < 0 || device >= count) {
      throw new IllegalArgumentException("--device " + device + ": backend " + provider.name() + " has " + count
          + " device(s), 0.." + (count - 1) + "; see `jgpt devices`");
    }
    return CheckedBackend.wrap(provider.create(device, threads));
  }

  /** Creates backend {@code name} on device {@code device} with {@code threads} threads (0 = all cores). */
  public static Backend open(String name, int device, int threads) {
    return open(choose(name).provider(), device, threads);
  }
}
