package dev.jgpt.cli;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import java.util.Locale;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Where a command's model computes: {@code --backend}, {@code --device} and {@code --threads}, one
 * option group mixed into every command that runs a model (train, generate, score, repl, bench,
 * serve). Each value is checked here, once, as it is parsed (a bad one is a usage error, exit 2).
 * One route to a backend: {@link #choose()} ({@link Backends#choose}: which provider, and why),
 * then {@link Backends#open(dev.jgpt.kernels.BackendProvider, int, int)} on --device: train and
 * bench through {@link #open}; the commands that load a saved model (generate, score, repl, bench
 * generate --run) hand the choice, {@link #device()} and {@link #threads()} to
 * {@code LoadedModel.open}, which sizes the threads to the model first (serve does the same from its
 * options). These are not training settings: a run never saves them, so it can resume anywhere.
 */
public final class BackendOptions {
  private String backend = "auto";
  private int device;
  private int threads; // 0 = automatic

  @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto",
      description = "auto, cpu, reference or tornado (default ${DEFAULT-VALUE}).")
  void backend(String value) {
    String name = value.strip().toLowerCase(Locale.ROOT);
    if (!Backends.NAMES.contains(name)) {
      throw new ParameterException(command.commandLine(), "--backend " + value + " is not a backend; use one of "
          + String.join(", ", Backends.NAMES));
    }
    backend = name;
  }

  /** The upper bound is checked against the backend's devices when it opens. */
  @Option(names = "--device", paramLabel = "N", defaultValue = "0",
      description = "Device of the backend (default ${DEFAULT-VALUE}; see `jgpt devices`).")
  void device(int value) {
    if (value < 0) {
      throw new ParameterException(command.commandLine(), "--device must be 0 or more (see `jgpt devices`), got " + value);
    }
    device = value;
  }

  @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
      description = "CPU threads (0 = automatic: all cores to train; to generate, 1 for models under 5M parameters, "
          + "else all cores).")
  void threads(int count) {
    if (count < 0) {
      throw new ParameterException(command.commandLine(), "--threads must be 0 (automatic) or a positive count, got "
          + count);
    }
    threads = count;
  }

  @Spec(Spec.Target.MIXEE)
  CommandSpec command; // the command using the group: usage errors name it

  /** The backend name in lower case, one of {@link Backends#NAMES}. */
  public String name() {
    return backend;
  }

  public int device() {
    return device;
  }

  /** --threads as given; 0 = automatic, which each command resolves for its model. */
  public int threads() {
    return threads;
  }

  /** The backend these flags pick and why; fails (exit 1) when the one named cannot run here. */
  public Backends.Choice choose() {
    return Backends.choose(backend);
  }

  /** Opens {@code choice} on --device with {@code threads} threads (0 = all cores). */
  public Backend open(Backends.Choice choice, int threads) {
    return Backends.open(choice.provider(), device, threads);
  }

  /** Chooses and opens in one go, for commands that do not print the choice. */
  public Backend open(int threads) {
    return open(choose(), threads);
  }

  /**
   * For the commands whose --backend defaults to cpu rather than auto (bench kernels measures
   * the CPU kernels; serve shares the machine with training): their {@code defaultValueProvider}.
   */
  public static final class CpuByDefault implements IDefaultValueProvider {
    @Override
    public String defaultValue(ArgSpec arg) {
      return arg instanceof OptionSpec o && o.longestName().equals("--backend") ? "cpu" : null;
    }
  }
}
