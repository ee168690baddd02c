package dev.jgpt.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds backends by name among the {@link BackendProvider}s on the class path. */
public final class Backends {
  private Backends() {}

  /** Every provider found, in class-path order. */
  public static List<BackendProvider> providers() {
    List<BackendProvider> all = new ArrayList<>();
    ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).forEach(all::add);
    return all;
  }

  /**
   * The provider called {@code name}; "auto" picks "tornado" when it can run here, else "cpu".
   * Fails with the reason when the named backend is missing or cannot run.
   */
  public static BackendProvider provider(String name) {
    List<BackendProvider> all = providers();
    if ("auto".equals(name)) {
      for (String preferred : List.of("tornado", "cpu", "reference")) {
        for (BackendProvider p : all) {
          if (p.name().equals(preferred) && p.unavailableReason() == null) return p;
        }
      }
      throw new IllegalStateException("no backend can run here");
    }
    for (BackendProvider p : all) {
      if (p.name().equals(name)) {
        String why = p.unavailableReason();
        if (why != null) throw new IllegalStateException("backend " + name + " cannot run here: " + why);
        return p;
      }
    }
    throw new IllegalArgumentException("unknown backend '" + name + "'; available: "
        + String.join(", ", all.stream().map(BackendProvider::name).toList()) + ", auto");
  }

  /** Creates backend {@code name} on device 0 with {@code threads} threads (0 = all cores). */
  public static Backend open(String name, int threads) {
    return provider(name).create(0, threads);
  }
}
