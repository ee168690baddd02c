package dev.jgpt.cli;

import static dev.jgpt.transformer.TrainConfigKey.*;

import dev.jgpt.corpus.BatchLoader;
import dev.jgpt.corpus.CorpusSource;
import dev.jgpt.corpus.EvalBatches;
import dev.jgpt.corpus.Split;
import dev.jgpt.corpus.TokenData;
import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import dev.jgpt.kernels.cpu.PeakFlops;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.common.Json;
import dev.jgpt.common.JsonFiles;
import dev.jgpt.transformer.Checkpoint;
import dev.jgpt.transformer.CheckpointFiles;
import dev.jgpt.transformer.CheckpointState;
import dev.jgpt.transformer.Gpt;
import dev.jgpt.transformer.MemoryEstimate;
import dev.jgpt.transformer.Presets;
import dev.jgpt.transformer.RunDirectory;
import dev.jgpt.transformer.interop.StartingModel;
import dev.jgpt.transformer.RunLock;
import dev.jgpt.transformer.RunRecovery;
import dev.jgpt.transformer.TrainConfig;
import dev.jgpt.transformer.TrainConfigKey;
import dev.jgpt.transformer.Trainer;
import dev.jgpt.transformer.TrainerResult;
import dev.jgpt.transformer.TrainingSample;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
 * and {@code jgpt repl} open. Settings come from a preset, then {@code --config FILE}, then flags
 * (named after nanoGPT's train.py variables); {@code --resume} continues a run bit for bit.
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

  @Option(names = "--corpus", paramLabel = "SOURCE", description = "A text file, folder, .zip, or a named corpus: jdk (default), shakespeare.")
  String corpus;

  @Mixin CorpusGlobOptions corpusGlobs;

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

  @Option(names = "--init-from", paramLabel = "DIR",
      description = "Fine-tune: start from the weights and tokenizer of a run or Hugging Face GPT-2 folder (fresh optimizer; --block-size may shorten its context).")
  String initFrom;

  @Option(names = "--tokenizer", paramLabel = "FILE", description = "tokenizer.json to use (default: train one on the corpus; bytes only for --vocab-size 256).")
  String tokenizer;

  @Option(names = "--vocab-size", paramLabel = "N", description = "Vocabulary size; 256 = pure byte-level model.") Integer vocabSize;
  @Option(names = "--n-layer", paramLabel = "N", description = "Transformer blocks.") Integer nLayer;
  @Option(names = "--n-head", paramLabel = "N", description = "Attention heads.") Integer nHead;
  @Option(names = "--n-embd", paramLabel = "N", description = "Embedding width (divisible by --n-head).") Integer nEmbd;
  @Option(names = "--block-size", paramLabel = "N", description = "Context length in tokens.") Integer blockSize;
  @Option(names = "--bias", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL", description = "Biases in linear and layer norm layers.") Boolean bias;
  @Option(names = "--dropout", paramLabel = "P", description = "Dropout probability.") Double dropout;
  @Option(names = "--batch-size", paramLabel = "N", description = "Sequences per micro-batch.") Integer batchSize;
  @Option(names = "--grad-accum", paramLabel = "N", description = "Micro-batches per optimizer step.") Integer gradAccum;
  @Option(names = "--max-iters", paramLabel = "N", description = "Optimizer steps in total.") Integer maxIters;
  @Option(names = "--learning-rate", paramLabel = "LR", description = "Peak learning rate.") Double learningRate;
  @Option(names = "--min-lr", paramLabel = "LR", description = "Learning rate at the end of the decay.") Double minLr;
  @Option(names = "--warmup-iters", paramLabel = "N", description = "Steps of linear warmup.") Integer warmupIters;
  @Option(names = "--lr-decay-iters", paramLabel = "N", description = "Step where the decay reaches --min-lr (0 = --max-iters; saved, so --resume keeps it).") Integer lrDecayIters;
  @Option(names = "--lr-schedule", paramLabel = "KIND", description = "cosine, linear or constant.") String lrSchedule;
  @Option(names = "--weight-decay", paramLabel = "W", description = "AdamW weight decay (2-D weights).") Double weightDecay;
  @Option(names = "--beta1", paramLabel = "B", description = "AdamW beta1.") Double beta1;
  @Option(names = "--beta2", paramLabel = "B", description = "AdamW beta2.") Double beta2;
  @Option(names = "--grad-clip", paramLabel = "NORM", description = "Clip the global gradient norm (0 = off).") Double gradClip;
  @Option(names = "--eval-interval", paramLabel = "N", description = "Steps between evaluations and checkpoints.") Integer evalInterval;
  @Option(names = "--eval-iters", paramLabel = "N", description = "Validation batches per evaluation.") Integer evalIters;
  @Option(names = "--log-interval", paramLabel = "N", description = "Steps between log lines and metrics records.") Integer logInterval;
  @Option(names = "--patience", paramLabel = "N", description = "Stop after N evaluations without improvement (0 = off).") Integer patience;
  @Option(names = "--keep-last", paramLabel = "N", description = "Distinct checkpoints kept: the newest in the run folder, the N-1 before it in checkpoints/; the best is kept in best/.") Integer keepLast;
  @Option(names = "--sample-tokens", paramLabel = "N", description = "Length of the sample printed at each evaluation (0 = none).") Integer sampleTokens;
  @Option(names = "--seed", paramLabel = "N", description = "Seed for initialization, data order and dropout.") Integer seed;
  @Option(names = "--threads", paramLabel = "N", description = "CPU threads (0 = all cores).") Integer threads;
  String backend;

  @Option(names = "--backend", paramLabel = "NAME", description = "auto, cpu, reference or tornado.")
  void backend(String value) {
    backend = BackendFlag.name(spec, value);
  }

  private int device;

  @Option(names = "--device", paramLabel = "N", description = "Device of the backend (default 0; see `jgpt devices`).")
  void device(int value) {
    device = BackendFlag.device(spec, value);
  }

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintStream console = System.out;
    boolean terminal = TrainProgress.stdoutIsTerminal();
    boolean resuming = resume != null;
    if (folds != null && resuming) throw new ParameterException(spec.commandLine(), "--folds cannot be combined with --resume");
    if (folds != null) FoldsFlag.checkCount(spec, folds);
    Path runDir;
    TrainConfig freshConfig = null;
    if (resuming) {
      runDir = resumeDir();
      if (!Checkpoint.exists(runDir)) { // checked before locking, which would create the folder
        throw new NoSuchFileException(runDir.resolve(Checkpoint.STATE) + " (no checkpoint in " + runDir
            + ": train one with jgpt train --out " + runDir + ")");
      }
    } else {
      freshConfig = Errors.usage(spec, this::freshConfig);
      runDir = outDir != null ? outDir : RunDirectory.freshRunDir(Path.of("runs"), preset == null ? Presets.DEFAULT : preset);
      if (Files.isRegularFile(runDir)) { // found now, not after tokenizing
        throw new ParameterException(spec.commandLine(), "--out " + runDir + " is a file; give a folder for the run, e.g. runs/NAME");
      }
    }
    // one writer: this process alone saves, recovers or deletes in the run folder until it exits
    try (RunLock lock = RunLock.acquire(runDir)) {
      RunRecovery.recover(runDir);
      return train(runDir, resuming, freshConfig, console, terminal);
    }
  }

  private int train(Path runDir, boolean resuming, TrainConfig freshConfig, PrintStream console, boolean terminal)
      throws IOException {
    CheckpointState resumeState = resuming ? Checkpoint.readState(runDir) : null;
    TrainConfig config = resuming ? resumedConfig(runDir, console) : freshConfig;
    Backends.Choice backendChoice = Backends.choose(config.backendName()); // a backend that cannot run fails before any work
    if (!resuming && (Checkpoint.exists(runDir) || Files.exists(runDir.resolve("fold-0")))) {
      throw new IllegalArgumentException(runDir + " already holds a run; continue it with --resume " + runDir
          + " or choose another --out");
    }

    CorpusSource source = TrainData.resolve(config.corpus(),
        CorpusGlobOptions.corpusOptions(spec, config.corpus(), config.include(), config.exclude()), cacheDir);
    if (folds != null) FoldsFlag.checkAgainstBytes(spec, folds, source, config.blockSize());
    Tokenizer tok;
    TrainData prepared;
    try (CtrlC ctrlC = CtrlC.install()) { // until training, whose own Ctrl-C saves a checkpoint
      tok = resuming ? RunDirectory.readTokenizer(runDir, resumeState.tokenizerHash())
          : start != null ? start.tokenizer() : chooseTokenizer(config, source, console, ctrlC);
      if (start != null) console.println(start.describe());
      if (!resuming && !config.tokenizer().isEmpty() && vocabSize != null) {
        console.println("note: --vocab-size is ignored: " + config.tokenizer() + " has " + tok.vocabSize() + " tokens");
      }
      printConfig(console, config, runDir, resuming);
      prepared = TrainData.prepare(source, tok, cacheDir, config.threads(), console, terminal, ctrlC);
    }

    try (TrainData data = prepared; Backend be = openBackend(backendChoice, config, console);
        TrainShutdownHook signals = TrainShutdownHook.install()) {
      console.println(data.describe());
      checkMemory(config, tok, be, console);
      if (folds == null) {
        TrainerResult result = trainOne(config, data.split, runDir, tok, be, resumeState, initialWeights(), console,
            terminal, signals);
        printSummary(console, result, runDir);
        if (result.failed()) throw new IllegalStateException(result.message());
        return 0;
      }
      FoldsFlag.checkAgainstTokens(spec, folds, data.tokens.size(), config.blockSize());
      return crossValidate(config, data, runDir, tok, be, console, terminal, signals);
    }
  }

  /** The weights a fresh run starts from: --init-from's, or null for a random init. */
  private float[] initialWeights() {
    return start == null ? null : start.params();
  }

  /** Opens the configured backend on --device, printing which backend was chosen and why. */
  private Backend openBackend(Backends.Choice choice, TrainConfig config, PrintStream console) {
    console.println(choice.reason());
    return Backends.open(choice.provider(), device, config.threads());
  }

  /** Prints the memory line, and refuses in one line a configuration the heap cannot hold, before allocating it. */
  private static void checkMemory(TrainConfig config, Tokenizer tok, Backend be, PrintStream console) {
    MemoryEstimate need = Gpt.trainingMemory(RunDirectory.modelConfig(config, tok.vocabSize()), be, config.batchSize(),
        config.blockSize());
    HeapBudget heap = HeapBudget.current();
    console.println(MemoryCheck.line(need, heap));
    MemoryCheck.requireFits(need, heap, "--batch-size (" + config.batchSize() + ") or --block-size (" + config.blockSize() + ")");
  }

  /** Trains one model on {@code split} into {@code runDir} (continuing {@code resumeState} when not null). */
  private static TrainerResult trainOne(TrainConfig config, Split split, Path runDir, Tokenizer tok, Backend be,
      CheckpointState resumeState, float[] initialWeights, PrintStream console, boolean terminal,
      TrainShutdownHook signals) throws IOException {
    BatchLoader loader = new BatchLoader(split.train(), config.batchSize(), config.blockSize(), config.seed());
    boolean valUsable = split.val().size() > config.blockSize();
    if (!valUsable) console.println("note: the validation split is shorter than the context; validating on training text");
    EvalBatches val = new EvalBatches(valUsable ? split.val() : split.train(), config.batchSize(), config.blockSize(),
        config.evalIters());
    Gpt model = new Gpt(RunDirectory.modelConfig(config, tok.vocabSize()), be, config.batchSize(), config.blockSize());
    if (resumeState != null) Checkpoint.restore(runDir, model);
    else if (initialWeights != null) model.writeParams(initialWeights); // fine-tuning: the optimizer starts fresh
    else model.initWeights(config.seed());
    Files.createDirectories(runDir);
    if (resumeState == null) {
      // a resumed run's config.json changes only with its next checkpoint: flags that make the
      // resume fail (diverge, crash) must not become the run's configuration
      RunDirectory.writeConfig(runDir, config);
      RunDirectory.writeTokenizer(runDir, tok);
    }

    TrainingSample sampler = new TrainingSample(tok::decode, samplePrompt(tok, split.train()), 0.8,
        config.seed());
    Trainer trainer = new Trainer(config, model, loader, val, runDir, tok.hash(), sampler,
        new TrainProgress(console, terminal, config.logInterval(), terminal ? peakGflops(be, config.threads()) : Double.NaN));
    if (resumeState != null) trainer.resumeFrom(resumeState);
    signals.watch(trainer::requestStop);
    return trainer.run();
  }

  /**
   * --folds K: K runs, fold i validating on the i-th K-th of the corpus and training on the rest,
   * each into DIR/fold-i; then the mean and spread of their final validation losses.
   */
  private int crossValidate(TrainConfig config, TrainData data, Path runDir, Tokenizer tok, Backend be,
      PrintStream console, boolean terminal, TrainShutdownHook signals) throws IOException {
    List<Double> losses = new ArrayList<>();
    List<Double> bpbs = new ArrayList<>();
    List<Map<String, Object>> perFold = new ArrayList<>();
    for (int fold = 0; fold < folds; fold++) {
      console.println("=== fold " + (fold + 1) + " of " + folds + " ===");
      Path foldDir = runDir.resolve("fold-" + fold);
      TrainerResult r = trainOne(config, Split.folds(data.tokens, folds, fold), foldDir, tok, be, null, initialWeights(),
          console, terminal, signals);
      printSummary(console, r, foldDir);
      if (r.failed()) throw new IllegalStateException("fold " + fold + ": " + r.message());
      if (r.outcome() == TrainerResult.Outcome.INTERRUPTED) return 0;
      losses.add(r.valLoss());
      bpbs.add(r.valBpb());
      perFold.add(Map.of("fold", fold, "val_loss", r.valLoss(), "val_bpb", r.valBpb(), "step", r.step()));
    }
    double mean = mean(losses);
    double spread = sampleStd(losses, mean);
    String line = String.format(Locale.ROOT, "%d-fold cross-validation: val loss %.4f +- %.4f (mean +- sample std), "
        + "%.3f +- %.3f bits/byte; folds: %s", folds, mean, spread, mean(bpbs), sampleStd(bpbs, mean(bpbs)),
        losses.stream().map(l -> String.format(Locale.ROOT, "%.4f", l)).toList());
    console.println(line);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("folds", folds);
    summary.put("val_loss_mean", mean);
    summary.put("val_loss_std", spread);
    summary.put("val_bpb_mean", mean(bpbs));
    summary.put("val_bpb_std", sampleStd(bpbs, mean(bpbs)));
    summary.put("per_fold", perFold);
    CheckpointFiles.writeString(runDir.resolve("folds.json"), Json.writePretty(summary));
    return 0;
  }

  private static double mean(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  private static double sampleStd(List<Double> xs, double mean) {
    if (xs.size() < 2) return 0;
    double ss = 0;
    for (double x : xs) ss += (x - mean) * (x - mean);
    return Math.sqrt(ss / (xs.size() - 1));
  }

  // ------------------------------------------------------------------ configuration

  private Path resumeDir() {
    if (!resume.isEmpty()) return Path.of(resume);
    if (outDir != null) return outDir;
    throw new IllegalArgumentException("--resume needs the run folder: --resume runs/NAME (or --out runs/NAME --resume)");
  }

  private TrainConfig freshConfig() throws IOException {
    TrainConfig c = Presets.get(preset == null ? Presets.DEFAULT : preset).withAll(fileAndFlagOverrides());
    if (!c.initFrom().isEmpty()) {
      TrainConfig c0 = c;
      start = Errors.usage(spec, () -> StartingModel.load(Path.of(c0.initFrom()), c0, this::explicitlySet));
      c = start.config();
    } else if ("finetune".equals(preset)) {
      throw new IllegalArgumentException("the finetune preset starts from a trained model: add --init-from DIR "
          + "(a jgpt run or a Hugging Face GPT-2 folder)");
    }
    return c.validate().withResolvedLrDecayIters();
  }

  /** The model a fresh run starts from (--init-from), or null for random weights. */
  private StartingModel start;

  /** Whether the user gave {@code key} (as a flag or in --config), rather than a preset or default. */
  private boolean explicitlySet(TrainConfigKey key) {
    try {
      return fileAndFlagOverrides().containsKey(key);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The run's own config with the allowed overrides; shapes and the tokenizer cannot change. */
  private TrainConfig resumedConfig(Path runDir, PrintStream console) throws IOException {
    if (preset != null) {
      throw new ParameterException(spec.commandLine(), "--preset cannot be combined with --resume: the run keeps its configuration; "
          + "change single settings with flags such as --max-iters");
    }
    // runs saved before lr_decay_iters was resolved at the start hold 0: it meant their own max_iters
    TrainConfig saved = RunDirectory.readConfig(runDir).withResolvedLrDecayIters();
    Map<TrainConfigKey, Object> overrides = fileAndFlagOverrides();
    overrides.remove(TOKENIZER); // the run's own tokenizer.json is used
    if (overrides.containsKey(INIT_FROM)) {
      throw new ParameterException(spec.commandLine(), "--init-from cannot be combined with --resume: the run continues "
          + "from its own checkpoint");
    }
    TrainConfig c = saved.withAll(overrides).withResolvedLrDecayIters();
    if (tokenizer != null && !tokenizer.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--tokenizer cannot change on --resume: the run keeps " + runDir.resolve(Checkpoint.TOKENIZER));
    }
    String shapes = saved.differences(c, true);
    if (!shapes.isEmpty()) {
      throw new IllegalArgumentException("cannot resume " + runDir + " with other model shapes (" + shapes
          + "); start a new run with another --out");
    }
    if (c.maxIters() != saved.maxIters()) {
      console.println("max_iters " + saved.maxIters() + " -> " + c.maxIters() + ": the learning rate decays to min_lr at step "
          + c.lrDecayIters() + (overrides.containsKey(LR_DECAY_ITERS) ? " (--lr-decay-iters)"
              : " as the run started with (change it with --lr-decay-iters)"));
    }
    return Errors.usage(spec, c::validate); // the saved settings were valid: what fails now is a flag
  }

  private Map<TrainConfigKey, Object> fileAndFlagOverrides() throws IOException {
    Map<TrainConfigKey, Object> o = new LinkedHashMap<>();
    if (configFile != null) o.putAll(configFileSettings());
    put(o, CORPUS, corpus);
    put(o, INCLUDE, corpusGlobs.include);
    put(o, EXCLUDE, corpusGlobs.exclude);
    put(o, TOKENIZER, tokenizer);
    put(o, VOCAB_SIZE, vocabSize);
    put(o, N_LAYER, nLayer);
    put(o, N_HEAD, nHead);
    put(o, N_EMBD, nEmbd);
    put(o, BLOCK_SIZE, blockSize);
    put(o, BIAS, bias);
    put(o, DROPOUT, dropout);
    put(o, BATCH_SIZE, batchSize);
    put(o, GRAD_ACCUM, gradAccum);
    put(o, MAX_ITERS, maxIters);
    put(o, LEARNING_RATE, learningRate);
    put(o, MIN_LR, minLr);
    put(o, WARMUP_ITERS, warmupIters);
    put(o, LR_DECAY_ITERS, lrDecayIters);
    put(o, LR_SCHEDULE, lrSchedule);
    put(o, WEIGHT_DECAY, weightDecay);
    put(o, BETA1, beta1);
    put(o, BETA2, beta2);
    put(o, GRAD_CLIP, gradClip);
    put(o, EVAL_INTERVAL, evalInterval);
    put(o, EVAL_ITERS, evalIters);
    put(o, LOG_INTERVAL, logInterval);
    put(o, PATIENCE, patience);
    put(o, KEEP_LAST, keepLast);
    put(o, SAMPLE_TOKENS, sampleTokens);
    put(o, SEED, seed);
    put(o, THREADS, threads);
    put(o, BACKEND, backend);
    put(o, INIT_FROM, initFrom);
    return o;
  }

  /** The --config file's settings; a key or value its JSON gets wrong is a bad file (exit 1), not a bad flag. */
  private Map<TrainConfigKey, Object> configFileSettings() throws IOException {
    try {
      return TrainConfig.parseJson(JsonFiles.readText(configFile), configFile.toString());
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage(), e);
    }
  }

  private static void put(Map<TrainConfigKey, Object> o, TrainConfigKey k, Object v) {
    if (v != null) o.put(k, v);
  }

  /** --tokenizer FILE, bytes only for vocab_size 256, else a BPE tokenizer trained on the corpus. */
  private static Tokenizer chooseTokenizer(TrainConfig config, CorpusSource source, PrintStream out, CtrlC ctrlC)
      throws IOException {
    if (!config.tokenizer().isEmpty()) return Tokenizer.load(Path.of(config.tokenizer()));
    if (config.vocabSize() == 256) return Tokenizer.bytesOnly();
    out.println("training a BPE tokenizer with " + config.vocabSize() + " tokens on " + source.name() + "...");
    return TrainTokenizer.train(source, config.vocabSize(), out, ctrlC);
  }

  /** Samples start from a newline, as nanoGPT's sample.py does (or the first validation token). */
  private static int[] samplePrompt(Tokenizer tok, TokenData text) {
    int[] newline = tok.encode("\n");
    return newline.length > 0 ? newline : new int[] {text.get(0)};
  }

  // ------------------------------------------------------------------ running

  /** The CPU's FP32 peak (half a second of FMA loops) for the status line; NaN on other backends. */
  private static double peakGflops(Backend be, int threads) {
    if (!be.name().equals("cpu")) return Double.NaN;
    return PeakFlops.measure(threads > 0 ? threads : Runtime.getRuntime().availableProcessors(), 100, 3);
  }

  private static void printConfig(PrintStream out, TrainConfig c, Path runDir, boolean resuming) {
    out.println((resuming ? "resuming " : "training ") + runDir + " with:");
    StringBuilder line = new StringBuilder(" ");
    for (TrainConfigKey k : TrainConfigKey.values()) {
      Object v = c.get(k);
      boolean empty = (v instanceof String s && s.isEmpty()) || (v instanceof List<?> l && l.isEmpty());
      String item = " " + k.json() + "=" + (empty ? "-" : v);
      if (line.length() + item.length() > 100) {
        out.println(line);
        line = new StringBuilder(" ");
      }
      line.append(item);
    }
    out.println(line);
  }

  private static void printSummary(PrintStream out, TrainerResult r, Path runDir) {
    out.println(r.message());
    if (r.failed()) return;
    String val = Double.isNaN(r.valLoss()) ? "" : String.format(Locale.ROOT, ", val loss %.4f (%.3f bits/byte), best %.4f at step %d",
        r.valLoss(), r.valBpb(), r.bestValLoss(), r.bestStep());
    out.println(String.format(Locale.ROOT, "step %d: train loss %.4f%s", r.step(), r.trainLoss(), val));
    if (!Double.isNaN(r.msPerStep())) {
      out.println(String.format(Locale.ROOT, "speed: %s tokens/s, %.1f ms/step (medians of this session); %s in total",
          TrainProgress.grouped(Math.round(r.tokensPerSecond())), r.msPerStep(), TrainProgress.duration(r.elapsedSeconds())));
    }
    TrainSummaryChart.print(out, runDir);
    out.println("run folder: " + runDir + " (continue: jgpt train --resume " + runDir + ")");
    Path parent = runDir.toAbsolutePath().getParent();
    out.println("next: ./jgpt repl --run " + runDir + " to talk to the model, ./jgpt plot " + runDir + " for its loss curves, "
        + "./jgpt serve --runs " + (parent == null ? "." : parent) + " to explore it in a browser");
  }
}
