package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** What users see of memory: train's memory line and its refusal of a configuration that cannot fit, an OutOfMemoryError as one line. */
class MemoryErrorsTest {
  @TempDir Path tmp;

  @Test
  void trainRefusesAConfigurationBeyondTheHeapInOneLineBeforeAllocatingIt() throws IOException {
    Path corpus = tmp.resolve("corpus.txt");
    Files.writeString(corpus, "the quick brown fox jumps over the lazy dog.\n".repeat(200));
    Path run = tmp.resolve("run");
    // GPT-2 small's body at context 1024, batch 64: tens of GB, against the test JVM's 4 GB.
    CliRunner.Result r = CliRunner.run("train", "--corpus", corpus.toString(), "--preset", "tiny", "--out",
        run.toString(), "--cache-dir", tmp.resolve("cache").toString(), "--threads", "1", "--n-layer", "12",
        "--n-head", "12", "--n-embd", "768", "--block-size", "1024", "--batch-size", "64");
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r);
    assertTrue(r.err().startsWith("jgpt train: this configuration needs "), r.toString());
    assertTrue(r.err().contains("lower --batch-size (64) or --block-size (1024)"), r.toString());
    assertFalse(r.err().contains("internal error") || r.err().contains("OutOfMemoryError"), r.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("memory: ")), "the summary has the memory line: " + r.out());
    assertFalse(Files.exists(run.resolve("config.json")), "nothing written for a run that cannot start");
  }

  @Test
  void trainPrintsTheMemoryLineInItsSummary() throws IOException {
    Path corpus = tmp.resolve("corpus.txt");
    Files.writeString(corpus, "the quick brown fox jumps over the lazy dog.\n".repeat(200));
    CliRunner.Result r = CliRunner.run("train", "--corpus", corpus.toString(), "--preset", "tiny", "--out",
        tmp.resolve("run").toString(), "--cache-dir", tmp.resolve("cache").toString(), "--threads", "1",
        "--max-iters", "1", "--eval-interval", "1", "--sample-tokens", "0");
    assertEquals(0, r.exitCode(), r.toString());
    String line = r.out().lines().filter(l -> l.startsWith("memory: ")).findFirst().orElseThrow(() -> new AssertionError(r));
    assertTrue(line.contains(" needed (") && line.contains("activations"), line);
  }

  @Command(name = "exhaust")
  static final class ExhaustCommand implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new OutOfMemoryError("Java heap space");
    }
  }

  private static String[] runExhaust(String... args) {
    CommandLine cl = Main.newCommandLine();
    cl.addSubcommand(new ExhaustCommand());
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    int code = Main.execute(cl, args);
    return new String[] {Integer.toString(code), err.toString()};
  }

  @Test
  void anOutOfMemoryErrorIsOneLineWithoutAStackTrace() {
    String[] r = runExhaust("exhaust");
    assertEquals("1", r[0], r[1]);
    assertEquals(1, r[1].strip().lines().count(), "one line: " + r[1]);
    assertTrue(r[1].startsWith("jgpt exhaust: out of memory (Java heap space) with a heap max of "), r[1]);
    assertTrue(r[1].contains("--batch-size"), r[1]);
  }

  @Test
  void debugAddsTheStackTraceOfAnOutOfMemoryError() {
    String[] r = runExhaust("--debug", "exhaust");
    assertEquals("1", r[0], r[1]);
    assertTrue(r[1].contains("java.lang.OutOfMemoryError: Java heap space") && r[1].contains("\tat "), r[1]);
  }
}
