package dev.jgpt.cli;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.BackendProvider;
import dev.jgpt.kernels.ProfilingBackend;
import java.util.List;

/**
 * A provider whose backends are {@link ProfilingBackend}s over another provider's: for the
 * commands that open their backend through a {@code Backends.Choice} they hand on (bench generate
 * --run loads a saved model that way), so they can still read the op totals of the backend it
 * made ({@link #profiler()}).
 */
final class ProfiledProvider implements BackendProvider {
  private final BackendProvider delegate;
  private ProfilingBackend last; // the backend create made last, null before

  ProfiledProvider(BackendProvider delegate) {
    this.delegate = delegate;
  }

  /** The profiler of the backend {@link #create} made last. */
  ProfilingBackend profiler() {
    if (last == null) throw new IllegalStateException("no backend was created through this provider");
    return last;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public String unavailableReason() {
    return delegate.unavailableReason();
  }

  @Override
  public String notPreferredOverCpuReason() {
    return delegate.notPreferredOverCpuReason();
  }

  @Override
  public List<String> devices() {
    return delegate.devices();
  }

  @Override
  public Backend create(int device, int threads) {
    last = new ProfilingBackend(delegate.create(device, threads));
    return last;
  }
}
