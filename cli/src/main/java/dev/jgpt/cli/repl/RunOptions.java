package dev.jgpt.cli.repl;

import dev.jgpt.kernels.Backends;
import dev.jgpt.cli.BackendOptions;
import dev.jgpt.cli.WeightsOption;
import dev.jgpt.transformer.interop.LoadedModel;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

/** Which trained run to use and where it runs: the flags generate, score and repl share. */
public final class RunOptions {
  @Option(names = "--run", paramLabel = "DIR", description = "Run folder (default: the most recent under runs/).")
  Path run;

  @Mixin BackendOptions backend; // --backend, --device, --threads

  @Mixin WeightsOption weights; // --weights

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
    return weights.applyTo(LoadedModel.open(Path.of(runDir), backend.choose(), backend.device(), backend.threads()));
  }
}
