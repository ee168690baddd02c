package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers (generate, score, the REPL) open a run while its trainer saves: at every point of the
 * save's journal, and with a save landing in the middle of a read, a reader gets one whole
 * committed checkpoint (the old one before the commit point, the new one after) and writes
 * nothing. Before, readers "recovered" the folder themselves and removed or renamed the
 * trainer's pending files under it.
 */
class CheckpointReadWhileSavingTest {
  @TempDir Path tmp;

  private final TrainConfig config = TrainerTestSupport.tinyConfig();

  /** The points of a save with optimizer, in order: writes, the commit, the renames. */
  private static final List<String> SAVE_POINTS = List.of("wrote model.safetensors.new",
      "wrote optimizer.safetensors.new", "wrote config.json.new", "wrote state.json.new (committed)",
      "renamed model.safetensors", "renamed optimizer.safetensors", "renamed config.json", "renamed state.json");

  private Gpt model(long seed) {
    Gpt m = new Gpt(RunDirectory.modelConfig(config, 257), TrainerTestSupport.backend(), config.batchSize(),
        config.blockSize());
    m.initWeights(seed);
    m.writeAdamM(m.readParams());
    return m;
  }

  private CheckpointState state(long step) {
    return new CheckpointState(step, step, 2.5, 2.4, step, 0, step, 1337, step, 1.5, "hash", config, Map.of());
  }

  @Test
  void aReaderAtEveryPointOfASaveGetsTheOldCheckpointBeforeTheCommitAndTheNewOneAfter() throws IOException {
    Path dir = tmp.resolve("run");
    Gpt old = model(1);
    Gpt next = model(2);
    float[][] paramsOfStep = {null, old.readParams(), next.readParams()};
    Checkpoint.save(dir, old, state(1), true);
    List<String> seen = new ArrayList<>();
    AtomicBoolean committed = new AtomicBoolean();
    Checkpoint.save(dir, next, state(2), true, point -> {
      if (point.contains("committed")) committed.set(true);
      int expected = committed.get() ? 2 : 1;
      Map<String, String> before = listing(dir);
      for (CheckpointReader.Committed c : List.of(CheckpointReader.read(dir, Set.of(Checkpoint.MODEL)),
          CheckpointReader.read(dir, Set.of(Checkpoint.MODEL, Checkpoint.OPTIMIZER)), CheckpointReader.readListed(dir))) {
        assertEquals(expected, c.state().step(), point);
        assertArrayEquals(paramsOfStep[expected], Checkpoint.params(c, old.layout()), point);
      }
      assertEquals(before, listing(dir), "a reader writes nothing (at: " + point + ")");
      seen.add(point);
    });
    assertEquals(SAVE_POINTS, seen);
  }

  @Test
  void aWeightsOnlySaveOverACheckpointWithOptimizerIsReadWholeAtEveryPoint() throws IOException {
    Path dir = tmp.resolve("best");
    Gpt old = model(1);
    Gpt next = model(2);
    float[][] paramsOfStep = {null, old.readParams(), next.readParams()};
    Checkpoint.save(dir, old, state(1), true);
    List<String> seen = new ArrayList<>();
    AtomicBoolean committed = new AtomicBoolean();
    Checkpoint.save(dir, next, state(2), false, point -> {
      if (point.contains("committed")) committed.set(true);
      int expected = committed.get() ? 2 : 1;
      CheckpointReader.Committed c = CheckpointReader.read(dir, Set.of(Checkpoint.MODEL));
      assertEquals(expected, c.state().step(), point);
      assertArrayEquals(paramsOfStep[expected], Checkpoint.params(c, old.layout()), point);
      seen.add(point);
    });
    assertTrue(seen.contains("removed optimizer.safetensors"), seen.toString());
  }

  /**
   * For each point a save can be paused at, a reader reads the state there and the save then
   * moves on (one point, or to its end) before the reader reads the tensors: the reader either
   * got a whole checkpoint or noticed and read again, never an error or mixed weights.
   */
  @Test
  void aSaveLandingBetweenTheStateAndTheTensorsOfARead() throws Exception {
    Gpt old = model(1);
    Gpt next = model(2);
    float[][] paramsOfStep = {null, old.readParams(), next.readParams()};
    for (int pausedAt = 0; pausedAt < SAVE_POINTS.size(); pausedAt++) {
      for (boolean toTheEnd : new boolean[] {false, true}) {
        String name = "paused at " + SAVE_POINTS.get(pausedAt) + (toTheEnd ? ", then finished" : ", then one point on");
        Path dir = tmp.resolve("run-" + pausedAt + "-" + toTheEnd);
        Checkpoint.save(dir, old, state(1), true);
        try (PausedSave save = new PausedSave(dir, next, state(2))) {
          for (int i = 0; i < pausedAt; i++) save.step();
          AtomicBoolean landed = new AtomicBoolean();
          CheckpointReader.Committed c = CheckpointReader.read(dir, s -> Set.of(Checkpoint.MODEL, Checkpoint.OPTIMIZER),
              () -> {
                if (landed.getAndSet(true)) return;
                if (toTheEnd) save.finish();
                else save.step();
              });
          int step = (int) c.state().step();
          if (toTheEnd) assertEquals(2, step, name);
          assertArrayEquals(paramsOfStep[step], Checkpoint.params(c, old.layout()), name);
          save.finish();
        }
        assertEquals(2, Checkpoint.readState(dir).step());
      }
    }
  }

  /** Names, sizes and modification times of every file in dir (hidden ones too). */
  private static Map<String, String> listing(Path dir) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) m.put(p.getFileName().toString(), Files.size(p) + " " + Files.getLastModifiedTime(p));
    }
    return m;
  }

  /** A save in its own thread that waits at each of its points until told to go on. */
  private static final class PausedSave implements AutoCloseable {
    private static final String DONE = "(save finished)";
    private final BlockingQueue<String> reached = new LinkedBlockingQueue<>();
    private final Semaphore go = new Semaphore(0);
    private final Thread thread;
    private volatile Throwable failure;
    private boolean done;

    PausedSave(Path dir, Gpt model, CheckpointState state) throws InterruptedException {
      thread = new Thread(() -> {
        try {
          Checkpoint.save(dir, model, state, true, point -> {
            reached.add(point);
            go.acquireUninterruptibly();
          });
        } catch (Throwable t) {
          failure = t;
        } finally {
          reached.add(DONE);
        }
      }, "paused-save");
      thread.setDaemon(true);
      thread.start();
      next(); // paused at its first point
    }

    private String next() throws InterruptedException {
      String p = reached.poll(10, TimeUnit.SECONDS);
      assertNotNull(p, "the save did not reach its next point");
      done = p.equals(DONE);
      return p;
    }

    /** Lets the save run from the point it waits at to the next one. */
    void step() {
      if (done) return;
      go.release();
      try {
        next();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }

    void finish() {
      while (!done) step();
    }

    @Override
    public void close() throws Exception {
      finish();
      thread.join(10_000);
      if (failure != null) throw new AssertionError("the save failed", failure);
    }
  }
}
