package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.transformer.Checkpoint;
import dev.jgpt.transformer.RunDirectory;
import dev.jgpt.transformer.RunLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run folder's rules through the command line: one trainer at a time, config.json changes
 * only with a checkpoint, the trainer cleans up after a killed predecessor, and inference needs
 * only the weights.
 */
class RunFolderCommandTest {
  @TempDir Path tmp;
  private Path corpus;
  private Path cache;
  private Path run;

  @BeforeEach
  void writeCorpus() throws IOException {
    corpus = tmp.resolve("corpus.txt");
    Files.writeString(corpus, "the quick brown fox jumps over the lazy dog. ".repeat(200));
    cache = tmp.resolve("cache");
    run = tmp.resolve("run");
  }

  private CliRunner.Result train(String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--corpus", corpus.toString(), "--preset", "tiny", "--out",
        run.toString(), "--cache-dir", cache.toString(), "--threads", "1", "--max-iters", "4", "--eval-interval", "2",
        "--sample-tokens", "0"));
    args.addAll(List.of(extra));
    return CliRunner.run(args.toArray(String[]::new));
  }

  private CliRunner.Result resume(String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--resume", run.toString(), "--cache-dir", cache.toString(),
        "--threads", "1"));
    args.addAll(List.of(extra));
    return CliRunner.run(args.toArray(String[]::new));
  }

  private static void assertOneLineError(CliRunner.Result r, String expected) {
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r);
    assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r);
  }

  @Test
  void aSecondTrainerOnTheSameFolderIsRefusedWithTheHoldersPid() throws IOException {
    String pid = Long.toString(ProcessHandle.current().pid());
    try (RunLock trainerHoldingIt = RunLock.acquire(run)) {
      assertOneLineError(train(), "is in use by another jgpt train (pid " + pid + ")");
      assertFalse(Files.exists(run.resolve(Checkpoint.STATE)));
    }
    assertEquals(0, train().exitCode());
    try (RunLock trainerHoldingIt = RunLock.acquire(run)) {
      assertOneLineError(resume("--max-iters", "6"), "(pid " + pid + ")");
    }
    assertEquals(4, RunDirectory.load(run).state().step());
  }

  @Test
  void aResumeThatDivergesLeavesConfigJsonAsItWas() throws IOException {
    assertEquals(0, train().exitCode());
    String config = Files.readString(run.resolve(Checkpoint.CONFIG));

    CliRunner.Result diverged = resume("--max-iters", "8", "--learning-rate", "1e30", "--min-lr", "1e30", "--eval-interval", "100");
    assertEquals(1, diverged.exitCode(), diverged.toString());
    assertTrue(diverged.err().contains("training diverged"), diverged.toString());
    assertEquals(config, Files.readString(run.resolve(Checkpoint.CONFIG)), "the bad flags did not become the run's");

    CliRunner.Result plain = resume("--max-iters", "6");
    assertEquals(0, plain.exitCode(), "a plain resume trains on: " + plain);
    assertTrue(Files.readString(run.resolve(Checkpoint.CONFIG)).contains("\"max_iters\": 6"),
        "config.json changed with the committed checkpoint");
  }

  @Test
  void theTrainerRemovesTempFilesAKilledTrainerLeft() throws IOException {
    assertEquals(0, train().exitCode());
    Path leftover = run.resolve(".model.safetensors.new.tmp-999999");
    Files.write(leftover, new byte[4096]);
    Files.write(run.resolve(".optimizer.safetensors.new.tmp-999999"), new byte[4096]);
    assertEquals(0, CliRunner.run("generate", "--run", run.toString(), "--prompt", "a", "--max-new-tokens", "1").exitCode());
    assertTrue(Files.exists(leftover), "generate is a reader: it removes nothing");

    assertEquals(0, resume("--max-iters", "6").exitCode());
    try (var files = Files.list(run)) {
      assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-")).toList());
    }
  }

  @Test
  void generateAndScoreNeedOnlyTheWeights() throws IOException {
    assertEquals(0, train().exitCode());
    Files.delete(run.resolve(Checkpoint.OPTIMIZER));
    CliRunner.Result g = CliRunner.run("generate", "--run", run.toString(), "--prompt", "the", "--max-new-tokens", "3");
    assertEquals(0, g.exitCode(), g.toString());
    CliRunner.Result s = CliRunner.run("score", "--run", run.toString(), "--text", "the quick brown fox");
    assertEquals(0, s.exitCode(), s.toString());
    assertOneLineError(resume("--max-iters", "6"), "optimizer.safetensors is missing");
  }
}
