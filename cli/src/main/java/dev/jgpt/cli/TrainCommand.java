package dev.jgpt.cli;

import dev.jgpt.corpus.CorpusSource;
import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.Checkpoint;
import dev.jgpt.transformer.CheckpointState;
import dev.jgpt.transformer.Gpt;
import dev.jgpt.transformer.HeapBudget;
import dev.jgpt.transformer.MemoryCheck;
import dev.jgpt.transformer.MemoryEstimate;
import dev.jgpt.transformer.Presets;
import dev.jgpt.transformer.RunDirectory;
import dev.jgpt.transformer.RunLock;
import dev.jgpt.transformer.RunRecovery;
import dev.jgpt.transformer.TrainConfig;
import dev.jgpt.transformer.TrainConfigKey;
import dev.jgpt.transformer.run.ConfigFile;
import dev.jgpt.transformer.run.TrainData;
import dev.jgpt.transformer.run.TrainPipeline;
import dev.jgpt.transformer.run.TrainRequest;
import dev.jgpt.transformer.run.TrainSetup;
import dev.jgpt.transformer.run.TrainingRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jgpt train}: trains a GPT on a corpus and leaves a run folder that {@code jgpt generate}
 * and {@code jgpt repl} open. It parses, calls and prints: the training settings' flags are made
 * from their declarations ({@link TrainSettingOptions}), {@link TrainSetup} decides the
 * configuration (preset, --config, flags; or the resumed run's), {@link TrainPipeline} makes the
 * tokenizer and the token file (Ctrl-C reaching it as a stop signal, its progress drawn by
 * {@link TrainDataConsole}), and {@link TrainingRun} trains.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train a GPT on a text corpus; the run folder (config, tokenizer, weights, optimizer state, metrics) "
          + "can be resumed with --resume and opened by 'jgpt generate' and 'jgpt repl'.",
      "Settings: a preset, then --config FILE (JSON with the flag names in snake_case), then flags."
    },
    footer = {"", "Presets: tiny, default (a few minutes on 2 cores), nanogpt-cpu (nanoGPT's CPU recipe), "
        + "fast-cpu (the nanogpt-cpu loss in about 40 s on 2 cores), baby-gpt (nanoGPT's shakespeare_char), "
        + "finetune (with --init-from: nanoGPT's finetune_shakespeare on a laptop).",
        "Examples:", "  jgpt train", "  jgpt train --corpus shakespeare --preset nanogpt-cpu --out runs/shakespeare",
        "  jgpt train --resume runs/shakespeare --max-iters 4000",
        "  jgpt train --preset finetune --init-from gpt2 --corpus notes.txt --out runs/gpt2-notes"})
final class TrainCommand implements Callable<Integer> {

  @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default runs/PRESET, numbered if it exists).")
  Path outDir;

  @Option(names = "--preset", paramLabel = "NAME", description = "Starting configuration: tiny, default, nanogpt-cpu, fast-cpu, baby-gpt, finetune.")
  String preset;

  @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings (keys as below in snake_case); flags override it.")
  Path configFile;

  @Option(names = "--resume", arity = "0..1", fallbackValue = "", paramLabel = "DIR",
      description = "Continue the run in DIR (or in --out) from its last checkpoint; flags may change max_iters, eval settings etc.")
  String resume;

  @Option(names = "--folds", paramLabel = "K", description = "k-fold cross-validation: K runs into DIR/fold-i, then the mean and spread of the validation loss.")
  Integer folds;

  @Option(names = "--cache-dir", paramLabel = "DIR", description = "Where token files and downloads are cached (default ~/.cache/jgpt).")
  Path cacheDir;

  @Mixin BackendOptions backendOptions;

  @Spec CommandSpec spec; // the training settings' options are added to it (TrainSettingOptions)

  @Override
  public Integer call() throws Exception {
    PrintStream console = System.out;
    boolean resuming = resume != null;
    if (folds != null && resuming) throw new ParameterException(spec.commandLine(), "--folds cannot be combined with --resume");
    if (folds != null) FoldsFlag.checkCount(spec, folds);
    Path runDir;
    TrainSetup fresh = null;
    if (resuming) {
      runDir = resumeDir();
      TrainSetup.requireCheckpoint(runDir);
    } else {
      TrainRequest request = request();
      fresh = Errors.usage(spec, () -> TrainSetup.fresh(request));
      runDir = outDir != null ? outDir : RunDirectory.freshRunDir(Path.of("runs"), preset == null ? Presets.DEFAULT : preset);
      if (Files.isRegularFile(runDir)) { // found now, not after tokenizing
        throw new ParameterException(spec.commandLine(), "--out " + runDir + " is a file; give a folder for the run, e.g. runs/NAME");
      }
    }
    // one writer: this process alone saves, recovers or deletes in the run folder until it exits
    try (RunLock lock = RunLock.acquire(runDir)) {
      RunRecovery.recover(runDir);
      CheckpointState resumeState = resuming ? Checkpoint.readState(runDir) : null;
      TrainSetup setup = resuming ? Errors.usage(spec, () -> TrainSetup.resumed(runDir, request(), console::println)) : fresh;
      train(runDir, setup, resumeState, console);
      return 0;
    }
  }

  private void train(Path runDir, TrainSetup setup, CheckpointState resumeState, PrintStream console) throws IOException {
    TrainConfig config = setup.config();
    Backends.Choice backend = backendOptions.choose(); // a backend that cannot run fails before any work
    if (resumeState == null) TrainSetup.requireNoRun(runDir);
    boolean terminal = TrainProgress.stdoutIsTerminal();
    TrainPipeline pipeline = new TrainPipeline(setup, cacheDir, backendOptions.threads(), new TrainDataConsole(console, terminal));
    CorpusSource source = pipeline.corpus(CorpusGlobOptions.corpusOptions(spec, config.corpus(), config.include(),
        config.exclude()));
    if (folds != null) FoldsFlag.checkAgainstBytes(spec, folds, source, config.blockSize());
    Tokenizer tok;
    TrainData prepared;
    try (CtrlC ctrlC = CtrlC.install()) { // until training, whose own Ctrl-C saves a checkpoint
      tok = pipeline.tokenizer(source, runDir, resumeState, ctrlC);
      TrainReport.printConfig(console, config, runDir, resumeState != null);
      prepared = pipeline.tokens(source, tok, ctrlC);
    }
    console.println(backend.reason());
    try (TrainData data = prepared; Backend be = backendOptions.open(backend, backendOptions.threads());
        TrainShutdownHook signals = TrainShutdownHook.install()) {
      console.println(data.describe());
      checkMemory(config, tok, be, console);
      TrainingRun run = new TrainingRun(setup, tok, be,
          new TrainReport(console, terminal, config, be, backendOptions.threads(), signals));
      if (folds == null) {
        run.train(data.split(), runDir, resumeState);
      } else {
        FoldsFlag.checkAgainstTokens(spec, folds, data.tokens().size(), config.blockSize());
        run.crossValidate(data.tokens(), folds, runDir);
      }
    }
  }

  /** Prints the memory line, and refuses in one line a configuration the heap cannot hold, before allocating it. */
  private static void checkMemory(TrainConfig config, Tokenizer tok, Backend be, PrintStream console) {
    MemoryEstimate need = Gpt.trainingMemory(RunDirectory.modelConfig(config, tok.vocabSize()), be, config.batchSize(),
        config.blockSize());
    HeapBudget heap = HeapBudget.current();
    console.println(MemoryCheck.line(need, heap));
    MemoryCheck.requireFits(need, heap, "--batch-size (" + config.batchSize() + ") or --block-size (" + config.blockSize() + ")");
  }

  private Path resumeDir() {
    if (!resume.isEmpty()) return Path.of(resume);
    if (outDir != null) return outDir;
    throw new IllegalArgumentException("--resume needs the run folder: --resume runs/NAME (or --out runs/NAME --resume)");
  }

  /** The preset, the --config file's settings and the flags' settings. */
  private TrainRequest request() throws IOException {
    return new TrainRequest(preset, configFile == null ? Map.of() : configFileSettings(), TrainSettingOptions.given(spec));
  }

  /**
   * The --config file's settings; a key or value its JSON gets wrong is a bad file (exit 1), not a
   * bad flag. Backend and threads in it (an old run's config.json) get a note on stderr.
   */
  private Map<TrainConfigKey, Object> configFileSettings() throws IOException {
    try {
      ConfigFile file = ConfigFile.read(configFile);
      file.note().ifPresent(System.err::println);
      return file.settings();
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage(), e);
    }
  }
}
