package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stress side of {@link CheckpointReadWhileSavingTest}: readers load the run through the
 * real load path ({@link RunDirectory#load}, as generate and the REPL do) in a loop while a
 * trainer checkpoints after every step. No reader fails, none sees the step go backwards, the
 * trainer finishes, and the run then loads and resumes.
 */
class ReadWhileTrainingTest {
  /** Saves in the run: each fsyncs four files, slow on a busy disk; readers load many times per save. */
  private static final int STEPS = 8;

  @TempDir Path tmp;

  @Test
  void readersLoadingInALoopNeverFailNorBreakTheTrainer() throws Exception {
    TrainConfig config = TrainerTestSupport.tinyConfig().with(TrainConfigKey.EVAL_INTERVAL, 1)
        .with(TrainConfigKey.EVAL_ITERS, 1).with(TrainConfigKey.MAX_ITERS, STEPS);
    Tokenizer tok = Tokenizer.bytesOnly();
    Path run = tmp.resolve("run");
    RunDirectory.writeTokenizer(run, tok);
    TrainerTestSupport.Setup s = new TrainerTestSupport.Setup(config);
    s.model.initWeights(1);
    Trainer trainer = new Trainer(config, s.model, s.loader, s.val, run, tok.hash(), null, null);

    AtomicBoolean training = new AtomicBoolean(true);
    AtomicInteger loads = new AtomicInteger();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    List<Thread> readers = new ArrayList<>();
    // generate and the REPL load the weights; a resume reads (and verifies) every file the state lists
    List<CheckpointLoad> loaders = List.of(dir -> RunDirectory.load(dir).state(), Checkpoint::readState);
    for (CheckpointLoad loader : loaders) {
      Thread t = new Thread(() -> {
        long lastStep = -1;
        while (training.get()) {
          if (!Checkpoint.exists(run)) {
            Thread.onSpinWait();
            continue;
          }
          try {
            long step = loader.load(run).step();
            if (step < lastStep) throw new AssertionError("step went back from " + lastStep + " to " + step);
            lastStep = step;
            loads.incrementAndGet();
            Thread.sleep(1); // leave the trainer a core: many reads per save still land in every part of it
          } catch (Throwable e) {
            failures.add(e);
          }
        }
      }, "reader");
      t.start();
      readers.add(t);
    }
    TrainerResult result;
    try {
      result = trainer.run();
    } finally {
      training.set(false);
      for (Thread t : readers) t.join(10_000);
    }

    assertEquals(List.of(), failures, "readers failed");
    assertEquals(TrainerResult.Outcome.COMPLETED, result.outcome(), result.message());
    assertTrue(loads.get() > 0, "the readers loaded the run");
    try (var files = Files.list(run)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".new")), "the last save finished");
    }

    assertEquals(STEPS, RunDirectory.load(run).state().step());
    TrainerTestSupport.Setup resumed = new TrainerTestSupport.Setup(config.with(TrainConfigKey.MAX_ITERS, STEPS + 2));
    CheckpointState state = Checkpoint.restore(run, resumed.model);
    Trainer more = new Trainer(resumed.config, resumed.model, resumed.loader, resumed.val, run, tok.hash(), null, null);
    more.resumeFrom(state);
    assertEquals(TrainerResult.Outcome.COMPLETED, more.run().outcome());
    assertEquals(STEPS + 2, RunDirectory.load(run).state().step());
  }

  @FunctionalInterface
  private interface CheckpointLoad {
    CheckpointState load(Path dir) throws Exception;
  }
}
