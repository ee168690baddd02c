package dev.jgpt.transformer.run;

import dev.jgpt.common.Json;
import dev.jgpt.corpus.BatchLoader;
import dev.jgpt.corpus.EvalBatches;
import dev.jgpt.corpus.Split;
import dev.jgpt.corpus.TokenData;
import dev.jgpt.kernels.Backend;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.Checkpoint;
import dev.jgpt.transformer.CheckpointFiles;
import dev.jgpt.transformer.CheckpointState;
import dev.jgpt.transformer.Gpt;
import dev.jgpt.transformer.RunDirectory;
import dev.jgpt.transformer.TrainConfig;
import dev.jgpt.transformer.Trainer;
import dev.jgpt.transformer.TrainerListener;
import dev.jgpt.transformer.TrainerResult;
import dev.jgpt.transformer.TrainingSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains on tokenized text: the batch loader, the validation batches, the model on a backend,
 * the trainer, one after the other, into a run folder; or, for k-fold cross-validation, K such
 * runs and the mean and spread of their validation losses. What it reports goes to an
 * {@link Output}, so the CLI only prints.
 *
 * @param setup the configuration and the starting weights (--init-from), from {@link TrainSetup}
 */
public record TrainingRun(TrainSetup setup, Tokenizer tokenizer, Backend backend, Output output) {

  /** Where a run's progress and results go (the CLI's console). */
  public interface Output {
    /** A fresh listener for each model trained (a fold is one). */
    TrainerListener progress();

    /** One line to show, e.g. a note or a fold's header. */
    void line(String line);

    /** A model finished training into {@code runDir}. */
    void finished(TrainerResult result, Path runDir);

    /** Arranges for {@code requestStop} to run when the user interrupts (Ctrl-C): the trainer then saves and stops. */
    void onStopRequest(Runnable requestStop);
  }

  /** Trains one model on {@code split} into {@code runDir}, continuing {@code resumeState} when not null; fails when the trainer did. */
  public TrainerResult train(Split split, Path runDir, CheckpointState resumeState) throws IOException {
    TrainerResult result = trainOne(split, runDir, resumeState);
    if (result.failed()) throw new IllegalStateException(result.message());
    return result;
  }

  /**
   * --folds K: K runs, fold i validating on the i-th K-th of {@code tokens} and training on the
   * rest, each into DIR/fold-i; then the mean and spread of their final validation losses, printed
   * and saved as DIR/folds.json. Stops early, without a summary, when the user interrupts a fold.
   */
  public void crossValidate(TokenData tokens, int folds, Path runDir) throws IOException {
    List<Double> losses = new ArrayList<>();
    List<Double> bpbs = new ArrayList<>();
    List<Map<String, Object>> perFold = new ArrayList<>();
    for (int fold = 0; fold < folds; fold++) {
      output.line("=== fold " + (fold + 1) + " of " + folds + " ===");
      TrainerResult r = trainOne(Split.folds(tokens, folds, fold), runDir.resolve("fold-" + fold), null);
      if (r.failed()) throw new IllegalStateException("fold " + fold + ": " + r.message());
      if (r.outcome() == TrainerResult.Outcome.INTERRUPTED) return;
      losses.add(r.valLoss());
      bpbs.add(r.valBpb());
      perFold.add(Map.of("fold", fold, "val_loss", r.valLoss(), "val_bpb", r.valBpb(), "step", r.step()));
    }
    double mean = mean(losses);
    double spread = sampleStd(losses, mean);
    output.line(String.format(Locale.ROOT, "%d-fold cross-validation: val loss %.4f +- %.4f (mean +- sample std), "
        + "%.3f +- %.3f bits/byte; folds: %s", folds, mean, spread, mean(bpbs), sampleStd(bpbs, mean(bpbs)),
        losses.stream().map(l -> String.format(Locale.ROOT, "%.4f", l)).toList()));
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("folds", folds);
    summary.put("val_loss_mean", mean);
    summary.put("val_loss_std", spread);
    summary.put("val_bpb_mean", mean(bpbs));
    summary.put("val_bpb_std", sampleStd(bpbs, mean(bpbs)));
    summary.put("per_fold", perFold);
    CheckpointFiles.writeString(runDir.resolve("folds.json"), Json.writePretty(summary));
  }

  private TrainerResult trainOne(Split split, Path runDir, CheckpointState resumeState) throws IOException {
    TrainConfig config = setup.config();
    // x (B,T) token windows from the training text, in the seed's order
    BatchLoader loader = new BatchLoader(split.train(), config.batchSize(), config.blockSize(), config.seed());
    boolean valUsable = split.val().size() > config.blockSize();
    if (!valUsable) output.line("note: the validation split is shorter than the context; validating on training text");
    EvalBatches val = new EvalBatches(valUsable ? split.val() : split.train(), config.batchSize(), config.blockSize(),
        config.evalIters());
    Gpt model = new Gpt(RunDirectory.modelConfig(config, tokenizer.vocabSize()), backend, config.batchSize(),
        config.blockSize());
    if (resumeState != null) Checkpoint.restore(runDir, model);
    else if (setup.initialWeights() != null) model.writeParams(setup.initialWeights()); // fine-tuning: the optimizer starts fresh
    else model.initWeights(config.seed());
    Files.createDirectories(runDir);
    if (resumeState == null) {
      // a resumed run's config.json changes only with its next checkpoint: flags that make the
      // resume fail (diverge, crash) must not become the run's configuration
      RunDirectory.writeConfig(runDir, config);
      RunDirectory.writeTokenizer(runDir, tokenizer);
    }
    TrainingSample sampler = new TrainingSample(tokenizer::decode, samplePrompt(split.train()), 0.8, config.seed());
    Trainer trainer = new Trainer(config, model, loader, val, runDir, tokenizer.hash(), sampler, output.progress());
    if (resumeState != null) trainer.resumeFrom(resumeState);
    output.onStopRequest(trainer::requestStop);
    TrainerResult result = trainer.run();
    output.finished(result, runDir);
    return result;
  }

  /** Samples start from a newline, as nanoGPT's sample.py does (or the first training token). */
  private int[] samplePrompt(TokenData text) {
    int[] newline = tokenizer.encode("\n");
    return newline.length > 0 ? newline : new int[] {text.get(0)};
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
}
