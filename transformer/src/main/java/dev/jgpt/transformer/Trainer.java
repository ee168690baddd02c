package dev.jgpt.transformer;

import dev.jgpt.corpus.BatchLoader;
import dev.jgpt.corpus.EvalBatches;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The training loop (nanoGPT's train.py in llm.c's shape): for each optimizer step, zero the
 * gradients, run {@code grad_accum} forward-backward micro-steps on batches from the loader, take
 * one AdamW step at the scheduled learning rate with global-norm clipping; every
 * {@code eval_interval} steps measure the validation loss on fixed windows, write a checkpoint
 * (and the best one so far), print a sample, and check early stopping.
 *
 * <p>Everything a step depends on is a function of the checkpointed state (step, loader
 * position, seed, weights, Adam moments), so a resumed run repeats the losses of an
 * uninterrupted one bit for bit. A NaN or infinite loss stops the run before the broken
 * weights reach a checkpoint. {@link #requestStop} (Ctrl-C) ends it after the current step
 * with a checkpoint.
 */
public final class Trainer {
  /** Adam epsilon (PyTorch's default, which nanoGPT keeps). */
  public static final float ADAM_EPS = 1e-8f;
  private static final int RNG_STEP_LIMIT = 1 << 24; // Gpt takes rngStep in 0 .. 2^24

  private final TrainConfig config;
  private final Gpt model;
  private final BatchLoader train;
  private final EvalBatches val;
  private final Path runDir; // null: no checkpoints or metrics (tests of the loop alone)
  private final String tokenizerHash;
  private final TrainingSample sampler; // null: no samples
  private final TrainerListener listener;
  private final LrSchedule schedule;
  private final EarlyStopping earlyStopping;

  private long step;
  private long tokensSeen;
  private double lastLoss = Double.NaN;
  private long lastLossStep = -1;
  private double lastValLoss = Double.NaN;
  private double lastValBpb = Double.NaN;
  private double elapsedBefore; // seconds of earlier sessions of this run
  private long lastSavedStep = -1;
  private volatile boolean stopRequested;
  private final CountDownLatch done = new CountDownLatch(1);

  public Trainer(TrainConfig config, Gpt model, BatchLoader train, EvalBatches val, Path runDir,
      String tokenizerHash, TrainingSample sampler, TrainerListener listener) {
    this.config = config.validate().withResolvedLrDecayIters(); // state.json keeps the decay length
    this.model = model;
    this.train = train;
    this.val = val;
    this.runDir = runDir;
    this.tokenizerHash = tokenizerHash == null ? "" : tokenizerHash;
    this.sampler = sampler;
    this.listener = listener == null ? TrainerListener.NONE : listener;
    this.schedule = config.lrSchedule();
    this.earlyStopping = new EarlyStopping(config.patience(), 0);
    if (model.batchSize() != config.batchSize() || model.seqLen() != config.blockSize()) {
      throw new IllegalArgumentException("model is built for batches of " + model.batchSize() + " x " + model.seqLen()
          + " but the config asks for " + config.batchSize() + " x " + config.blockSize());
    }
    model.setDropoutSeed(config.seed());
  }

  /** Continues from a checkpoint whose weights and Adam state are already in the model. */
  public void resumeFrom(CheckpointState state) {
    step = state.step();
    tokensSeen = state.tokensSeen();
    lastLoss = state.trainLoss();
    lastLossStep = state.step();
    elapsedBefore = state.elapsedSeconds();
    earlyStopping.restore(state.bestValLoss(), state.bestStep(), state.evalsWithoutImprovement());
    train.seek(state.loaderPosition());
    lastSavedStep = state.step();
  }

  /** Asks the loop to stop after the current step and save a checkpoint; safe from any thread. */
  public void requestStop() {
    stopRequested = true;
  }

  /** Waits until {@link #run} has returned (a shutdown hook waits for the checkpoint to be saved). */
  public boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
    return done.await(timeout, unit);
  }

  public long step() {
    return step;
  }

  /** Runs until max_iters, early stopping, divergence or a stop request. */
  public TrainerResult run() throws IOException {
    try (MetricsLog metrics = runDir == null ? null : MetricsLog.open(runDir.resolve(Checkpoint.METRICS), step);
        MetricsLog samples = runDir == null ? null : MetricsLog.open(runDir.resolve(Checkpoint.SAMPLES), step)) {
      TrainerResult result = loop(metrics, samples);
      listener.finished(result);
      return result;
    } finally {
      done.countDown();
    }
  }

  // metrics, samples: the run folder's metrics.jsonl and samples.jsonl, or null without a run folder
  private TrainerResult loop(MetricsLog metrics, MetricsLog samples) throws IOException {
    int B = config.batchSize();
    int T = config.blockSize();
    int accum = config.gradAccum();
    int[] inputs = new int[B * T]; // (B,T)
    int[] targets = new int[B * T]; // (B,T)
    float dlossScale = 1f / ((float) B * T * accum); // mean over all positions of all micro-batches
    long maxIters = config.maxIters();
    double[] stepMs = new double[(int) Math.max(1, Math.min(maxIters - step, 1_000_000))];
    int timedSteps = 0;
    long sessionStart = System.nanoTime();
    String backend = model.backend().description()
        + (model.trainingShards() > 1 ? "; the batch in " + model.trainingShards() + " data-parallel shards" : "");
    listener.started(new TrainerEvents.Start(config, model.config(), trainableParameters(), step, backend, runDir,
        flopsPerStep()));

    while (step < maxIters) {
      if (stopRequested) return stopped(sessionStart, stepMs, timedSteps);
      long t0 = System.nanoTime();
      double lr = schedule.lr(step);
      model.zeroGrads();
      double lossSum = 0;
      for (int micro = 0; micro < accum; micro++) {
        train.next(inputs, targets);
        long rngStep = (step * accum + micro) % RNG_STEP_LIMIT;
        lossSum += model.forwardBackward(inputs, targets, dlossScale, rngStep);
      }
      double loss = lossSum / accum;
      if (!Double.isFinite(loss)) return diverged("loss", loss, step + 1, sessionStart, stepMs, timedSteps);
      double gradNorm = model.optimizerStep((float) lr, (int) Math.min(step + 1, RNG_STEP_LIMIT),
          (float) config.beta1(), (float) config.beta2(), ADAM_EPS, (float) config.weightDecay(), (float) config.gradClip());
      if (!Double.isFinite(gradNorm)) return diverged("gradient norm", gradNorm, step + 1, sessionStart, stepMs, timedSteps);
      step++;
      tokensSeen += config.tokensPerStep();
      lastLoss = loss;
      lastLossStep = step;
      double ms = (System.nanoTime() - t0) / 1e6;
      if (timedSteps < stepMs.length) stepMs[timedSteps++] = ms;
      double tokensPerSecond = config.tokensPerStep() * 1000.0 / ms;
      listener.stepped(new TrainerEvents.Step(step, maxIters, loss, lr, gradNorm, ms, tokensPerSecond,
          elapsed(sessionStart)));

      boolean evalNow = step % config.evalInterval() == 0 || step == maxIters;
      boolean logNow = evalNow || step % config.logInterval() == 0;
      TrainerEvents.Eval eval = evalNow ? evaluate() : null; // null too when a stop request cut it short
      if (eval != null && !Double.isFinite(eval.valLoss()))
        return diverged("validation loss", eval.valLoss(), step, sessionStart, stepMs, timedSteps);
      if (logNow && metrics != null) metrics.append(metricsRecord(loss, lr, gradNorm, ms, tokensPerSecond, eval, sessionStart));
      if (eval != null) {
        EarlyStopping.Verdict verdict = earlyStopping.observe(step, eval.valLoss());
        eval = new TrainerEvents.Eval(step, eval.valLoss(), eval.valBpb(), earlyStopping.bestLoss(), earlyStopping.bestStep(),
            verdict == EarlyStopping.Verdict.IMPROVED, eval.evalMs());
        listener.evaluated(eval);
        if (sampler != null && config.sampleTokens() > 0 && !stopRequested) {
          String text = sampler.sample(model, config.sampleTokens(), step);
          listener.sampled(step, text);
          if (samples != null) samples.append(Map.of("step", step, "text", text)); // for jgpt serve
        }
        if (verdict == EarlyStopping.Verdict.IMPROVED && runDir != null) saveBest(sessionStart);
        saveCheckpoint(sessionStart);
        if (verdict == EarlyStopping.Verdict.STOP) {
          return result(TrainerResult.Outcome.EARLY_STOPPED, sessionStart, stepMs, timedSteps, String.format(Locale.ROOT,
              "early stop at step %d: validation loss has not improved for %d evaluations (best %.4f at step %d)",
              step, earlyStopping.evalsWithoutImprovement(), earlyStopping.bestLoss(), earlyStopping.bestStep()));
        }
      }
    }
    if (stopRequested) return stopped(sessionStart, stepMs, timedSteps); // e.g. during the final evaluation
    saveCheckpoint(sessionStart);
    String done = timedSteps > 0 ? "trained " + step + " steps"
        : "the run is already at step " + step + " of max_iters " + maxIters + "; raise --max-iters to train further";
    return result(TrainerResult.Outcome.COMPLETED, sessionStart, stepMs, timedSteps, done);
  }

  /**
   * Mean validation loss over the fixed evaluation batches, and its bits per byte; null when a
   * stop request arrives during it (baby-gpt's 200 batches take minutes on a CPU: Ctrl-C must
   * not wait for them).
   */
  private TrainerEvents.Eval evaluate() {
    if (val == null) return null;
    long t0 = System.nanoTime();
    int B = config.batchSize();
    int T = config.blockSize();
    int[] inputs = new int[B * T]; // (B,T)
    int[] targets = new int[B * T]; // (B,T)
    double sum = 0;
    for (int b = 0; b < val.batches(); b++) {
      if (stopRequested) return null;
      val.fill(b, inputs, targets);
      sum += model.evalLoss(inputs, targets);
    }
    double mean = sum / val.batches();
    lastValLoss = mean;
    lastValBpb = val.bitsPerByte(mean);
    return new TrainerEvents.Eval(step, mean, lastValBpb, earlyStopping.bestLoss(), earlyStopping.bestStep(), false,
        (System.nanoTime() - t0) / 1e6);
  }

  private Map<String, Object> metricsRecord(double loss, double lr, double gradNorm, double ms, double tokensPerSecond,
      TrainerEvents.Eval eval, long sessionStart) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("step", step);
    r.put("train_loss", loss);
    r.put("val_loss", eval == null ? null : eval.valLoss());
    r.put("val_bpb", eval == null ? null : eval.valBpb());
    r.put("lr", lr);
    r.put("tokens_per_s", Math.round(tokensPerSecond * 10) / 10.0);
    r.put("ms_per_step", Math.round(ms * 1000) / 1000.0);
    r.put("grad_norm", gradNorm);
    r.put("elapsed_s", Math.round(elapsed(sessionStart) * 1000) / 1000.0);
    return r;
  }

  // ------------------------------------------------------------------ checkpoints

  private CheckpointState state(long sessionStart) {
    return new CheckpointState(step, tokensSeen, lastLoss, earlyStopping.bestLoss(), earlyStopping.bestStep(),
        earlyStopping.evalsWithoutImprovement(), train.position(), config.seed(), (step * config.gradAccum()) % RNG_STEP_LIMIT,
        elapsed(sessionStart), tokenizerHash, config, Map.of());
  }

  /**
   * Saves the run folder's checkpoint. With keep_last N > 1 the checkpoint it replaces is first
   * copied to checkpoints/step-S, and the newest N-1 of those are kept: with the run folder's
   * own, N distinct checkpoints.
   */
  private void saveCheckpoint(long sessionStart) throws IOException {
    if (runDir == null || step == lastSavedStep) return;
    if (config.keepLast() > 1 && lastSavedStep >= 0 && Checkpoint.exists(runDir)) snapshotLastCheckpoint();
    Checkpoint.save(runDir, model, state(sessionStart), true);
    lastSavedStep = step;
    listener.saved(new TrainerEvents.Saved(step, runDir, "checkpoint"));
  }

  private void snapshotLastCheckpoint() throws IOException {
    Path snapshot = runDir.resolve(RunRecovery.SNAPSHOTS).resolve(String.format(Locale.ROOT, "step-%07d", lastSavedStep));
    Checkpoint.copy(runDir, snapshot);
    pruneSnapshots(config.keepLast() - 1);
    listener.saved(new TrainerEvents.Saved(lastSavedStep, snapshot, "snapshot"));
  }

  private void saveBest(long sessionStart) throws IOException {
    Path best = runDir.resolve("best");
    Checkpoint.save(best, model, state(sessionStart), false); // config.json comes with the checkpoint
    Path tokenizer = runDir.resolve(Checkpoint.TOKENIZER);
    if (Files.exists(tokenizer)) CheckpointFiles.write(best.resolve(Checkpoint.TOKENIZER), out -> Files.copy(tokenizer, out));
    listener.saved(new TrainerEvents.Saved(step, best, "best"));
  }

  /** Keeps the newest {@code keep} snapshots in checkpoints/. */
  private void pruneSnapshots(int keep) throws IOException {
    List<Path> snapshots = RunRecovery.snapshots(runDir);
    for (int i = 0; i < snapshots.size() - keep; i++) RunRecovery.deleteTree(snapshots.get(i));
  }

  // ------------------------------------------------------------------ endings

  private TrainerResult stopped(long sessionStart, double[] stepMs, int timedSteps) throws IOException {
    saveCheckpoint(sessionStart);
    return result(TrainerResult.Outcome.INTERRUPTED, sessionStart, stepMs, timedSteps,
        "stopped at step " + step + "; checkpoint saved" + resumeHint());
  }

  private TrainerResult diverged(String what, double value, long atStep, long sessionStart, double[] stepMs,
      int timedSteps) {
    String kept = lastSavedStep >= 0 && runDir != null
        ? "the last good checkpoint (step " + lastSavedStep + ") is kept in " + runDir
        : "no checkpoint had been saved yet";
    String last = lastLossStep >= 0 && Double.isFinite(lastLoss)
        ? String.format(Locale.ROOT, "last good loss %.4f at step %d", lastLoss, lastLossStep) : "no good step before it";
    double lower = config.learningRate() / 3;
    String message = String.format(Locale.ROOT,
        "training diverged: the %s became %s at step %d (%s); %s; lower the learning rate (e.g. --learning-rate %.2g, now %.2g)%s",
        what, Double.isNaN(value) ? "NaN" : "infinite", atStep, last, kept, lower, config.learningRate(),
        config.gradClip() > 0 ? "" : " or clip gradients (--grad-clip 1.0)");
    return result(TrainerResult.Outcome.DIVERGED, sessionStart, stepMs, timedSteps, message);
  }

  private TrainerResult result(TrainerResult.Outcome outcome, long sessionStart, double[] stepMs, int timedSteps,
      String message) {
    double ms = median(stepMs, timedSteps);
    double tps = Double.isNaN(ms) ? Double.NaN : config.tokensPerStep() * 1000.0 / ms;
    return new TrainerResult(outcome, step, lastLoss, lastValLoss, lastValBpb, earlyStopping.bestLoss(),
        earlyStopping.bestStep(), elapsed(sessionStart), tps, ms, message);
  }

  private String resumeHint() {
    return runDir == null ? "" : "; continue with: jgpt train --resume " + runDir;
  }

  private double elapsed(long sessionStart) {
    return elapsedBefore + (System.nanoTime() - sessionStart) / 1e9;
  }

  static double median(double[] values, int n) {
    if (n == 0) return Double.NaN;
    double[] sorted = Arrays.copyOf(values, n);
    Arrays.sort(sorted);
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** Parameters that train: the padded vocabulary rows excluded. */
  private long trainableParameters() {
    return trainableParameters(model.config());
  }

  /** Parameters of model {@code c} that train: the padded vocabulary rows excluded. */
  public static long trainableParameters(GptConfig c) {
    return c.parameterCount() - (long) (c.paddedVocabSize() - c.vocabSize()) * c.nEmbd();
  }

  /**
   * FLOPs of one optimizer step, PaLM-style as nanoGPT's estimate_mfu: 6N per token for the
   * weights plus 12 L T C for attention, times the tokens of the step.
   */
  private double flopsPerStep() {
    return flopsPerToken(model.config(), config.blockSize()) * config.tokensPerStep();
  }

  /**
   * Training FLOPs per token (forward and backward) of model {@code c} at context T, as
   * nanoGPT's estimate_mfu counts them: 6 per trainable parameter (the padded vocabulary rows
   * excluded) plus 12 L T C for attention. Shared with {@code jgpt bench train}.
   */
  public static double flopsPerToken(GptConfig c, int T) {
    return 6.0 * trainableParameters(c) + 12.0 * c.nLayer() * T * c.nEmbd();
  }
}
