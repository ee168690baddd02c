package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.transformer.Checkpoint;
import dev.jgpt.transformer.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping {@code jgpt train} from outside (Ctrl-C's SIGINT and a kill's SIGTERM both run the
 * JVM's shutdown hooks) saves a checkpoint at the current step, which then loads and resumes.
 */
class TrainInterruptTest {
  @TempDir Path tmp;

  @Test
  void aStoppedRunSavesACheckpointThatResumes() throws Exception {
    Path corpus = tmp.resolve("corpus.txt");
    Files.writeString(corpus, "a small corpus, repeated to have enough windows. ".repeat(200));
    Path run = tmp.resolve("run");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp",
        System.getProperty("java.class.path"), Main.class.getName(), "train", "--corpus", corpus.toString(),
        "--preset", "tiny", "--out", run.toString(), "--cache-dir", tmp.resolve("cache").toString(),
        "--max-iters", "10000000", "--eval-interval", "1000000", "--log-interval", "50", "--threads", "1")
        .redirectErrorStream(true).redirectOutput(tmp.resolve("log.txt").toFile()).start();
    try {
      // wait until training runs (the first metrics line), then stop the process
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(run.resolve(Checkpoint.METRICS)) || Files.size(run.resolve(Checkpoint.METRICS)) == 0) {
        assertTrue(p.isAlive(), () -> "exited early: " + read(tmp.resolve("log.txt")));
        assertTrue(System.nanoTime() < deadline, "training did not start in 60 s");
        Thread.sleep(50);
      }
      p.destroy(); // SIGTERM: the shutdown hook Ctrl-C would run
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the run did not stop");
    } finally {
      p.destroyForcibly();
    }
    String log = read(tmp.resolve("log.txt"));
    assertTrue(log.contains("interrupted: saving a checkpoint"), log);
    long step = RunDirectory.load(run).state().step();
    assertTrue(step >= 50, "saved at the step it reached: " + step + "\n" + log);
    assertTrue(log.contains("saved checkpoint (step " + step + ")"), log);
    // the closing lines come after the checkpoint: the shutdown hook holds the exit until they are out
    assertTrue(log.contains("continue with: jgpt train --resume " + run), log);
    assertTrue(log.contains("run folder: " + run), log);

    CliRunner.Result resumed = CliRunner.run("train", "--resume", run.toString(), "--max-iters",
        Long.toString(step + 3), "--cache-dir", tmp.resolve("cache").toString(), "--threads", "1");
    assertEquals(0, resumed.exitCode(), resumed.toString());
    assertEquals(step + 3, RunDirectory.load(run).state().step());
  }

  private static String read(Path f) {
    try {
      return Files.exists(f) ? Files.readString(f) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

}
