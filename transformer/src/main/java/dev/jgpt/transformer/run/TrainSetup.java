package dev.jgpt.transformer.run;

import static dev.jgpt.transformer.TrainConfigKey.INIT_FROM;
import static dev.jgpt.transformer.TrainConfigKey.LR_DECAY_ITERS;
import static dev.jgpt.transformer.TrainConfigKey.TOKENIZER;
import static dev.jgpt.transformer.TrainConfigKey.VOCAB_SIZE;

import dev.jgpt.transformer.Checkpoint;
import dev.jgpt.transformer.Presets;
import dev.jgpt.transformer.RunDirectory;
import dev.jgpt.transformer.TrainConfig;
import dev.jgpt.transformer.TrainConfigKey;
import dev.jgpt.transformer.interop.StartingModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The resume policy: the configuration a training run uses. A fresh run takes a preset, then
 * the --config file, then flags (and, with --init-from, the starting model's shape); a resumed
 * run keeps its saved configuration and takes only the settings that do not change its tensors.
 *
 * <p>An {@link IllegalArgumentException} means a setting asked for is wrong (the CLI's usage
 * error, exit 2); an {@link IllegalStateException} means the run cannot take it (exit 1).
 *
 * @param start the model a fresh run starts from (--init-from), or null for random weights
 * @param vocabSizeFlag whether a fresh run was given --vocab-size as a flag: a --tokenizer file's
 *     size wins, and {@link TrainPipeline} says so
 */
public record TrainSetup(TrainConfig config, StartingModel start, boolean vocabSizeFlag) {

  /** A fresh run's configuration, validated, with lr_decay_iters resolved. */
  public static TrainSetup fresh(TrainRequest request) throws IOException {
    String preset = request.preset() == null ? Presets.DEFAULT : request.preset();
    TrainConfig c = Presets.get(preset).withAll(request.overrides());
    StartingModel start = null;
    if (!c.initFrom().isEmpty()) {
      start = StartingModel.load(Path.of(c.initFrom()), c, request::explicitlySet);
      c = start.config();
    } else if ("finetune".equals(preset)) {
      throw new IllegalArgumentException("the finetune preset starts from a trained model: add --init-from DIR "
          + "(a jgpt run or a Hugging Face GPT-2 folder)");
    }
    return new TrainSetup(c.validate().withResolvedLrDecayIters(), start, request.fromFlags().containsKey(VOCAB_SIZE));
  }

  /**
   * The saved configuration of the run in {@code runDir} with the overrides it allows; shapes and
   * the tokenizer cannot change. {@code note} gets one line when max_iters changes.
   */
  public static TrainSetup resumed(Path runDir, TrainRequest request, Consumer<String> note) throws IOException {
    if (request.preset() != null) {
      throw new IllegalArgumentException("--preset cannot be combined with --resume: the run keeps its configuration; "
          + "change single settings with flags such as --max-iters");
    }
    // runs saved before lr_decay_iters was resolved at the start hold 0: it meant their own max_iters
    TrainConfig saved = RunDirectory.readConfig(runDir).withResolvedLrDecayIters();
    Map<TrainConfigKey, Object> overrides = request.overrides();
    overrides.remove(TOKENIZER); // the run's own tokenizer.json is used
    if (overrides.containsKey(INIT_FROM)) {
      throw new IllegalArgumentException("--init-from cannot be combined with --resume: the run continues "
          + "from its own checkpoint");
    }
    TrainConfig c = saved.withAll(overrides).withResolvedLrDecayIters();
    if (request.fromFlags().get(TOKENIZER) instanceof String t && !t.isEmpty()) {
      throw new IllegalArgumentException("--tokenizer cannot change on --resume: the run keeps "
          + runDir.resolve(Checkpoint.TOKENIZER));
    }
    String shapes = saved.differences(c, true);
    if (!shapes.isEmpty()) {
      throw new IllegalStateException("cannot resume " + runDir + " with other model shapes (" + shapes
          + "); start a new run with another --out");
    }
    if (c.maxIters() != saved.maxIters()) {
      note.accept("max_iters " + saved.maxIters() + " -> " + c.maxIters() + ": the learning rate decays to min_lr at step "
          + c.lrDecayIters() + (overrides.containsKey(LR_DECAY_ITERS) ? " (--lr-decay-iters)"
              : " as the run started with (change it with --lr-decay-iters)"));
    }
    return new TrainSetup(c.validate(), null, false); // the saved settings were valid: what fails now is a flag
  }

  /** A run to resume has a checkpoint; checked before the run folder is locked, which would create it. */
  public static void requireCheckpoint(Path runDir) throws NoSuchFileException {
    if (!Checkpoint.exists(runDir)) {
      throw new NoSuchFileException(runDir.resolve(Checkpoint.STATE) + " (no checkpoint in " + runDir
          + ": train one with jgpt train --out " + runDir + ")");
    }
  }

  /** A fresh run does not train over another one (a checkpoint, or the folds of --folds): that one is resumed. */
  public static void requireNoRun(Path runDir) {
    if (Checkpoint.exists(runDir) || Files.exists(runDir.resolve("fold-0"))) {
      throw new IllegalArgumentException(runDir + " already holds a run; continue it with --resume " + runDir
          + " or choose another --out");
    }
  }

  /** The weights a fresh run starts from: --init-from's, or null for a random init. */
  public float[] initialWeights() {
    return start == null ? null : start.params();
  }
}
