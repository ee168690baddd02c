package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import dev.jgpt.common.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  @TempDir Path tmp;

  /** Dropout and gradient accumulation on, so the RNG and loader state must be restored too. */
  private static TrainConfig resumeConfig(int maxIters) {
    return TrainerTestSupport.tinyConfig().with(TrainConfigKey.DROPOUT, 0.1).with(TrainConfigKey.GRAD_ACCUM, 2)
        .with(TrainConfigKey.MAX_ITERS, maxIters).with(TrainConfigKey.EVAL_INTERVAL, 4).validate();
  }

  /** On the reference backend, whose kernels sum in a fixed order. */
  @Test
  void resumedRunRepeatsTheUninterruptedLossesBitForBit() throws IOException {
    resumeEqualsUninterrupted(() -> Backends.open("reference", 1), 8, 3);
  }

  /**
   * On the CPU backend with 2 threads, over enough steps that the JIT compiles the kernels
   * during the runs: its reductions sum in a fixed order (Vec, VectorMath), so the results do
   * not depend on whether a kernel runs interpreted or compiled, nor on how rows are split
   * among threads.
   */
  @Test
  void resumedRunOnTheCpuBackendRepeatsTheUninterruptedLossesBitForBit() throws IOException {
    resumeEqualsUninterrupted(() -> Backends.open("cpu", 2), 60, 29);
  }

  private void resumeEqualsUninterrupted(java.util.function.Supplier<Backend> opener, int steps, int stopAt)
      throws IOException {
    List<Backend> opened = new ArrayList<>();
    java.util.function.Supplier<Backend> backends = () -> {
      Backend b = opener.get();
      opened.add(b);
      return b;
    };
    try {
      resumeEqualsUninterrupted(backends, steps, stopAt, resumeConfig(steps));
    } finally {
      opened.forEach(Backend::close); // the CPU backend's worker threads
    }
  }

  private void resumeEqualsUninterrupted(java.util.function.Supplier<Backend> backends, int steps, int stopAt,
      TrainConfig config) throws IOException {
    TrainerTestSupport.Setup whole = new TrainerTestSupport.Setup(config, backends.get());
    whole.model.initWeights(config.seed());
    TrainerResult all = whole.trainer(tmp.resolve("whole"), null).run();
    assertEquals(TrainerResult.Outcome.COMPLETED, all.outcome());
    assertEquals(steps, whole.losses.size());

    // first half: stopped after step stopAt as Ctrl-C would, which saves a checkpoint
    TrainerTestSupport.Setup first = new TrainerTestSupport.Setup(config, backends.get());
    first.model.initWeights(config.seed());
    Trainer[] holder = new Trainer[1];
    holder[0] = first.trainer(tmp.resolve("split"), new TrainerListener() {
      @Override
      public void stepped(TrainerEvents.Step s) {
        if (s.step() == stopAt) holder[0].requestStop();
      }
    });
    TrainerResult stopped = holder[0].run();
    assertEquals(TrainerResult.Outcome.INTERRUPTED, stopped.outcome());
    assertEquals(stopAt, stopped.step());

    // second half: a new process would build everything afresh from the run folder
    TrainerTestSupport.Setup second = new TrainerTestSupport.Setup(config, backends.get());
    Checkpoint.restore(tmp.resolve("split"), second.model);
    CheckpointState state = Checkpoint.readState(tmp.resolve("split"));
    assertEquals(stopAt, state.step());
    Trainer resumed = second.trainer(tmp.resolve("split"), null);
    resumed.resumeFrom(state);
    assertEquals(TrainerResult.Outcome.COMPLETED, resumed.run().outcome());

    List<Double> joined = new ArrayList<>(first.losses);
    joined.addAll(second.losses);
    assertEquals(whole.losses, joined, "losses after resuming equal those of the uninterrupted run");
    assertEquals(whole.evals.getLast().valLoss(), second.evals.getLast().valLoss());
    assertArrayEquals(whole.model.readParams(), second.model.readParams());
    assertArrayEquals(whole.model.readAdamV(), second.model.readAdamV());

    // metrics.jsonl of the split run holds each step once, with the same losses
    List<Map<String, Object>> a = MetricsLog.read(tmp.resolve("whole").resolve(Checkpoint.METRICS));
    List<Map<String, Object>> b = MetricsLog.read(tmp.resolve("split").resolve(Checkpoint.METRICS));
    assertEquals(a.stream().map(m -> List.of(m.get("step"), m.get("train_loss"), String.valueOf(m.get("val_loss")))).toList(),
        b.stream().map(m -> List.of(m.get("step"), m.get("train_loss"), String.valueOf(m.get("val_loss")))).toList());
  }

  @Test
  void runFolderHoldsTheCheckpointFilesAndMetrics() throws IOException {
    TrainConfig config = TrainerTestSupport.tinyConfig().with(TrainConfigKey.LOG_INTERVAL, 2)
        .with(TrainConfigKey.KEEP_LAST, 2);
    TrainerTestSupport.Setup s = new TrainerTestSupport.Setup(config);
    s.model.initWeights(1);
    Path run = tmp.resolve("run");
    TrainerResult r = s.trainer(run, null).run();
    assertEquals(8, r.step());
    assertTrue(Double.isFinite(r.valLoss()) && Double.isFinite(r.valBpb()), r.toString());
    // one byte per token: bits per byte = nats / ln 2
    assertEquals(r.valLoss() / Math.log(2), r.valBpb(), 1e-9);
    for (String f : List.of(Checkpoint.MODEL, Checkpoint.OPTIMIZER, Checkpoint.STATE, Checkpoint.METRICS)) {
      assertTrue(Files.exists(run.resolve(f)), f);
    }
    assertTrue(Files.exists(run.resolve("best").resolve(Checkpoint.MODEL)));
    assertFalse(Files.exists(run.resolve("best").resolve(Checkpoint.OPTIMIZER)), "best/ holds weights only");
    try (var snapshots = Files.list(run.resolve("checkpoints"))) {
      assertEquals(List.of("step-0000004"), snapshots.map(p -> p.getFileName().toString()).sorted().toList(),
          "keep_last 2: two distinct checkpoints, step 8 in the run folder and step 4 in checkpoints/");
    }
    try (var leftovers = Files.list(run)) {
      assertTrue(leftovers.noneMatch(p -> p.getFileName().toString().contains(".tmp") || p.toString().endsWith(".new")));
    }

    Map<String, Object> state = Json.parseObject(Files.readString(run.resolve(Checkpoint.STATE)));
    assertEquals(8L, state.get("step"));
    assertEquals(8L * 4 * 16, state.get("tokens_seen"));
    assertEquals("test-tokenizer-hash", state.get("tokenizer_hash"));
    assertEquals(Map.of("position", 8L), state.get("loader"));

    List<Map<String, Object>> lines = MetricsLog.read(run.resolve(Checkpoint.METRICS));
    assertEquals(List.of(2L, 4L, 6L, 8L), lines.stream().map(m -> m.get("step")).toList());
    for (Map<String, Object> m : lines) {
      for (String key : List.of("step", "train_loss", "val_loss", "val_bpb", "lr", "tokens_per_s", "ms_per_step")) {
        assertTrue(m.containsKey(key), key + " in " + m);
      }
    }
    assertNull(lines.get(0).get("val_loss"));
    assertTrue(lines.get(1).get("val_loss") instanceof Double);
  }

  @Test
  void eachEvaluationsSampleIsKeptInSamplesJsonl() throws IOException {
    TrainConfig config = TrainerTestSupport.tinyConfig().with(TrainConfigKey.SAMPLE_TOKENS, 6);
    TrainerTestSupport.Setup s = new TrainerTestSupport.Setup(config);
    s.model.initWeights(1);
    Path run = tmp.resolve("run");
    List<String> printed = new java.util.ArrayList<>();
    TrainingSample sampler = new TrainingSample(ids -> "<" + ids.length + " ids>", new int[] {10}, 0.8, 1);
    new Trainer(config, s.model, s.loader, s.val, run, "h", sampler, new TrainerListener() {
      @Override
      public void sampled(long step, String text) {
        printed.add(text);
      }
    }).run();
    List<Map<String, Object>> lines = MetricsLog.read(run.resolve(Checkpoint.SAMPLES));
    assertEquals(List.of(4L, 8L), lines.stream().map(m -> m.get("step")).toList(), "one sample per evaluation");
    assertEquals(printed, lines.stream().map(m -> m.get("text")).toList(), "the samples the terminal showed");
  }

  @Test
  void keepLastNKeepsNDistinctCheckpoints() throws IOException {
    TrainConfig config = TrainerTestSupport.tinyConfig().with(TrainConfigKey.EVAL_INTERVAL, 2)
        .with(TrainConfigKey.KEEP_LAST, 3);
    TrainerTestSupport.Setup s = new TrainerTestSupport.Setup(config);
    s.model.initWeights(1);
    Path run = tmp.resolve("run");
    assertEquals(8, s.trainer(run, null).run().step());
    List<Long> steps = new ArrayList<>();
    steps.add(Checkpoint.readState(run).step());
    for (Path snapshot : RunRecovery.snapshots(run)) steps.add(Checkpoint.readState(snapshot).step());
    assertEquals(List.of(8L, 4L, 6L), steps, "the run folder's step 8 and the two before it in checkpoints/");
  }

  /**
   * A stop request during an evaluation ends it at the next batch (baby-gpt's final evaluation
   * is 200 batches), and the run ends as any stopped run does: a checkpoint of the step it
   * reached and the resume hint.
   */
  @Test
  void aStopDuringTheFinalEvaluationEndsItAtOnce() throws IOException {
    TrainConfig config = TrainerTestSupport.tinyConfig().with(TrainConfigKey.EVAL_ITERS, 50);
    TrainerTestSupport.Setup s = new TrainerTestSupport.Setup(config);
    s.model.initWeights(1);
    Path run = tmp.resolve("run");
    Trainer[] trainer = new Trainer[1];
    trainer[0] = s.trainer(run, new TrainerListener() {
      @Override
      public void stepped(TrainerEvents.Step step) {
        if (step.step() == 8) trainer[0].requestStop(); // Ctrl-C as the final evaluation starts
      }
    });
    TrainerResult r = trainer[0].run();
    assertEquals(TrainerResult.Outcome.INTERRUPTED, r.outcome(), r.message());
    assertEquals(List.of(4L), s.evals.stream().map(TrainerEvents.Eval::step).toList(), "the final evaluation was cut short");
    assertTrue(r.message().contains("continue with: jgpt train --resume " + run), r.message());
    assertEquals(8, Checkpoint.readState(run).step(), "the step it reached is saved");
  }

  @Test
  void nanLossStopsTheRunAndKeepsTheLastGoodCheckpoint() throws IOException {
    TrainConfig config = TrainerTestSupport.tinyConfig().with(TrainConfigKey.EVAL_INTERVAL, 2);
    TrainerTestSupport.Setup s = new TrainerTestSupport.Setup(config);
    s.model.initWeights(1);
    Path run = tmp.resolve("run");
    TensorSpec lnf = s.model.layout().get("ln_f.weight");
    TrainerResult r = s.trainer(run, new TrainerListener() {
      @Override
      public void stepped(TrainerEvents.Step step) {
        if (step.step() == 3) { // break the weights the way an exploding update would
          float[] p = s.model.readParams();
          Arrays.fill(p, lnf.offset(), lnf.end(), Float.NaN);
          s.model.writeParams(p);
        }
      }
    }).run();
    assertEquals(TrainerResult.Outcome.DIVERGED, r.outcome());
    assertTrue(r.failed());
    assertEquals(3, r.step());
    String m = r.message();
    assertTrue(m.contains("loss became NaN at step 4"), m);
    assertTrue(m.contains("last good loss") && m.contains("at step 3"), m);
    assertTrue(m.contains("last good checkpoint (step 2) is kept"), m);
    assertTrue(m.contains("--learning-rate"), m);
    assertFalse(m.contains("\n"));
    CheckpointState kept = Checkpoint.readState(run);
    assertEquals(2, kept.step());
    for (float v : Checkpoint.readParams(run, s.model.layout())) assertTrue(Float.isFinite(v));
  }

  @Test
  void earlyStoppingEndsTheRunWhenValidationGetsWorse() throws IOException {
    // train on one repeated byte, validate on noise: after the first evaluation the model only
    // grows more certain of the wrong thing, so the validation loss rises
    SplittableRandom rnd = new SplittableRandom(3);
    StringBuilder noise = new StringBuilder();
    for (int i = 0; i < 400; i++) noise.append((char) ('a' + rnd.nextInt(26)));
    TrainConfig config = TrainerTestSupport.tinyConfig().with(TrainConfigKey.PATIENCE, 2)
        .with(TrainConfigKey.EVAL_INTERVAL, 2).with(TrainConfigKey.MAX_ITERS, 60).with(TrainConfigKey.LEARNING_RATE, 1e-2)
        .with(TrainConfigKey.MIN_LR, 1e-3);
    TrainerTestSupport.Setup s = new TrainerTestSupport.Setup(config, TrainerTestSupport.bytes("z".repeat(400)),
        TrainerTestSupport.bytes(noise.toString()));
    s.model.initWeights(1);
    Path run = tmp.resolve("run");
    TrainerResult r = s.trainer(run, null).run();
    assertEquals(TrainerResult.Outcome.EARLY_STOPPED, r.outcome(), r.message());
    assertTrue(r.step() < 60, r.toString());
    assertEquals(r.step(), r.bestStep() + 2L * 2, "stopped two evaluations after the best");
    assertTrue(r.message().startsWith("early stop at step " + r.step()), r.message());
    assertEquals(r.bestStep(), Checkpoint.readState(run.resolve("best")).step(), "best/ holds the best evaluation");
    assertEquals(r.step(), Checkpoint.readState(run).step(), "the run folder holds the last step");
  }
}
