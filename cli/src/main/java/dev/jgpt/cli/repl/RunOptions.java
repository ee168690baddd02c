package dev.jgpt.cli.repl;

import dev.jgpt.kernels.Backends;
import dev.jgpt.cli.BackendOptions;
import dev.jgpt.cli.WeightsOption;
import dev.jgpt.transformer.HeapBudget;
import dev.jgpt.transformer.MemoryCheck;
import dev.jgpt.transformer.MemoryEstimate;
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

  /**
   * Opens another run folder with the same backend settings (the REPL's :load). For a large model
   * what it needs goes to stderr first ({@link #memoryLine}), so its long load says what it is
   * doing; stdout stays the generated text.
   */
  public LoadedModel open(String runDir) throws IOException {
    return weights.applyTo(LoadedModel.open(Path.of(runDir), backend.choose(), backend.device(), backend.threads(),
        HeapBudget.current(), (need, heap) -> {
          String line = memoryLine(need, heap);
          if (line != null) System.err.println(line);
        }));
  }

  /** Models from this size on load for seconds (GPT-2 124M needs about 1 GB): they say what they need. */
  static final long SAYS_MEMORY_FROM_BYTES = 256L << 20;

  /**
   * "memory: 7.4 GB needed (...), 18.8 GB usable (heap max 18.9 GB)" for a model of at least
   * {@link #SAYS_MEMORY_FROM_BYTES}; null for a smaller one, which loads at once and says nothing.
   */
  static String memoryLine(MemoryEstimate need, HeapBudget heap) {
    return need.totalBytes() >= SAYS_MEMORY_FROM_BYTES ? MemoryCheck.line(need, heap) : null;
  }
}
