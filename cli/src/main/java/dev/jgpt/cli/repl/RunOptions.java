package dev.jgpt.cli.repl;

import dev.jgpt.cli.BackendFlag;
import dev.jgpt.transformer.interop.LoadedModel;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Which trained run to use and where it runs: the flags generate, score and repl share. */
public final class RunOptions {
  @Option(names = "--run", paramLabel = "DIR", description = "Run folder (default: the most recent under runs/).")
  Path run;

  private String backend = "auto";

  @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto",
      description = "auto, cpu, reference or tornado (default ${DEFAULT-VALUE}).")
  void backend(String value) {
    backend = BackendFlag.name(command, value);
  }

  private int device;

  @Option(names = "--device", paramLabel = "N", defaultValue = "0",
      description = "Device of the backend (default ${DEFAULT-VALUE}; see `jgpt devices`).")
  void device(int value) {
    device = BackendFlag.device(command, value);
  }

  private int threads; // 0 = automatic

  @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
      description = "CPU threads (0 = automatic: 1 for models under 5M parameters, else all cores).")
  void threads(int count) {
    if (count < 0) {
      throw new ParameterException(command.commandLine(), "--threads must be 0 (automatic) or a positive count, got "
          + count);
    }
    threads = count;
  }

  @Spec(Spec.Target.MIXEE)
  CommandSpec command; // generate, score or repl: usage errors name it

  /** The run to open: --run, or the newest under runs/; a one-line error when there is none. */
  public Path runDir() {
    return RunFinder.choose(run, Path.of("runs"));
  }

  /** Opens {@link #runDir()}. */
  public LoadedModel open() throws IOException {
    return open(runDir().toString());
  }

  /** Opens another run folder with the same backend settings (the REPL's :load). */
  public LoadedModel open(String runDir) throws IOException {
    return LoadedModel.open(Path.of(runDir), backend, device, threads);
  }
}
