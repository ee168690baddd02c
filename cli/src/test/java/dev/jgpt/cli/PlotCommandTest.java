package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.transformer.Presets;
import dev.jgpt.transformer.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jgpt plot} end to end on metrics.jsonl files written here, as a trainer writes them. */
class PlotCommandTest {
  @TempDir Path tmp;
  private Path fast;
  private Path slow;

  /** 40 steps of a falling loss (validation every 10 steps), a warmup-then-decay lr, a gradient norm. */
  private static Path writeRun(Path dir, double decaySteps) throws IOException {
    Files.createDirectories(dir);
    StringBuilder log = new StringBuilder();
    for (int step = 1; step <= 40; step++) {
      double loss = 1 + 4 * Math.exp(-step / decaySteps);
      String val = step % 10 == 0 ? String.format(Locale.ROOT, "%.4f", loss + 0.1) : "null";
      String bpb = step % 10 == 0 ? String.format(Locale.ROOT, "%.4f", (loss + 0.1) / Math.log(2)) : "null";
      double lr = step <= 5 ? 1e-3 * step / 5 : 1e-4 + 9e-4 * (40 - step) / 35;
      log.append(String.format(Locale.ROOT, "{\"step\":%d,\"train_loss\":%.4f,\"val_loss\":%s,\"val_bpb\":%s,\"lr\":%.6g,"
          + "\"tokens_per_s\":%.1f,\"ms_per_step\":%.3f,\"grad_norm\":%.3f,\"elapsed_s\":%.3f}%n",
          step, loss, val, bpb, lr, 20000.0 + step, 40.0, 2.0 / step, step * 0.04));
    }
    Files.writeString(dir.resolve("metrics.jsonl"), log);
    return dir;
  }

  @BeforeEach
  void writeRuns() throws IOException {
    fast = writeRun(tmp.resolve("fast"), 5);
    slow = writeRun(tmp.resolve("slow"), 15);
  }

  private static void assertFitsIn(int width, String out) {
    out.lines().forEach(l -> assertTrue(l.length() <= width, "wider than " + width + ": '" + l + "'"));
  }

  private static void assertOneLineError(CliRunner.Result r, int code, String expected) {
    assertEquals(code, r.exitCode(), r.toString());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r);
    assertTrue(r.err().startsWith("jgpt plot: "), r.toString());
    assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r);
    assertFalse(r.err().contains("internal error"), r.toString());
    assertEquals("", r.out(), "no partial chart");
  }

  @Test
  void oneRunShowsTrainAndValidationLossAgainstSteps() {
    CliRunner.Result r = CliRunner.run("plot", fast.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("loss (nats/token)\n"), r.out());
    assertTrue(r.out().contains("* train loss   + val loss"), "a pipe: markers in the legend:\n" + r.out());
    assertTrue(r.out().contains("step"), r.out());
    assertFalse(r.out().contains("\u001b["), "no colour codes in a pipe:\n" + r.out());
    assertFitsIn(80, r.out());
  }

  @Test
  void twoRunsAreOverlaidWithALegendNamingEach() {
    CliRunner.Result r = CliRunner.run("plot", fast.toString(), slow.toString(), "--width", "100", "--height", "12");
    assertEquals(0, r.exitCode(), r.toString());
    String legend = r.out().lines().dropWhile(l -> !l.strip().equals("step")).skip(1).reduce("", (a, b) -> a + b + "\n");
    for (String entry : new String[] {"* " + fast + " train loss", "+ " + fast + " val loss", "o " + slow + " train loss",
        "x " + slow + " val loss"}) {
      assertTrue(legend.contains(entry), "'" + entry + "' in the legend:\n" + r.out());
    }
    long plotRows = r.out().lines().filter(l -> l.contains("│") || l.contains("┤")).count();
    assertEquals(12, plotRows, r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.contains("o") && l.contains("┤") || l.contains("│") && l.contains("o")),
        "the slow run's markers are drawn:\n" + r.out());
    assertFitsIn(100, r.out());
  }

  @Test
  void colourOnATerminalOrWhenAsked() {
    CliRunner.Result r = CliRunner.run("plot", fast.toString(), slow.toString(), "--color", "always");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("\u001b[36m⣿\u001b[0m " + fast + " train loss"), r.out());
    assertTrue(r.out().contains("\u001b[35m⣿\u001b[0m " + slow + " train loss"), r.out());
  }

  @Test
  void otherMetricsGetTheirOwnCharts() {
    CliRunner.Result lr = CliRunner.run("plot", fast.toString(), "--metric", "lr");
    assertEquals(0, lr.exitCode(), lr.toString());
    assertTrue(lr.out().startsWith("learning rate\n"), lr.out());
    assertTrue(lr.out().contains("⣿ lr"), "one series keeps braille without colour:\n" + lr.out());
    assertTrue(lr.out().contains("1e-3") || lr.out().contains("0.001"), "lr tick labels:\n" + lr.out());

    CliRunner.Result several = CliRunner.run("plot", fast.toString(), slow.toString(), "--metric", "val_bpb,grad_norm",
        "--metric", "tokens_per_s");
    assertEquals(0, several.exitCode(), several.toString());
    for (String title : new String[] {"validation loss (bits/byte)", "gradient norm", "tokens/s"}) {
      assertTrue(several.out().lines().anyMatch(title::equals), title + ":\n" + several.out());
    }
    assertTrue(several.out().contains("* " + fast + "\n") && several.out().contains("+ " + slow + "\n"),
        "one metric per chart: runs by name\n" + several.out());
  }

  @Test
  void tokensOnXAndALogYAxis() throws IOException {
    RunDirectory.writeConfig(fast, Presets.get("tiny")); // tokens per step come from config.json
    long tokensPerStep = Presets.get("tiny").tokensPerStep();
    CliRunner.Result r = CliRunner.run("plot", fast.toString(), "--x", "tokens", "--log-y", "--metric", "train_loss");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.strip().equals("tokens")), r.out());
    String lastLabel = r.out().lines().filter(l -> l.matches("\\s+0\\s.*")).findFirst().orElseThrow().strip();
    assertTrue(lastLabel.contains("k") || 40 * tokensPerStep < 10_000, "token counts in k: " + lastLabel);
    assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith("5 ┤")) && r.out().lines().anyMatch(l -> l.strip().startsWith("1 ┤")),
        "log ticks 1, 2, 5:\n" + r.out());
  }

  @Test
  void asciiDrawsWithPlainCharacters() {
    CliRunner.Result r = CliRunner.run("plot", fast.toString(), "--ascii", "--metric", "train_loss", "--width", "50");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().chars().allMatch(c -> c < 128), r.out());
    assertTrue(r.out().contains("+-") && r.out().contains(":"), r.out());
    assertFitsIn(50, r.out());
  }

  @Test
  void aLineBeingWrittenIsLeftOut() throws IOException {
    Files.writeString(fast.resolve("metrics.jsonl"), "{\"step\":41,\"train_lo", java.nio.file.StandardOpenOption.APPEND);
    CliRunner.Result r = CliRunner.run("plot", fast.toString());
    assertEquals(0, r.exitCode(), r.toString());
  }

  @Test
  void badFilesAreOneLineAndExit1() throws IOException {
    assertOneLineError(CliRunner.run("plot", tmp.resolve("nope").toString()), 1, "no such run folder: " + tmp.resolve("nope"));
    Path notARun = Files.createDirectories(tmp.resolve("notarun"));
    assertOneLineError(CliRunner.run("plot", fast.toString(), notARun.toString()), 1, notARun + " has no metrics.jsonl");
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Files.writeString(empty.resolve("metrics.jsonl"), "");
    assertOneLineError(CliRunner.run("plot", empty.toString()), 1, "metrics.jsonl is empty");
    Path broken = Files.createDirectories(tmp.resolve("broken"));
    Files.writeString(broken.resolve("metrics.jsonl"), "{\"step\":1,\"train_loss\":2.0}\nnot json\n{\"step\":2}\n");
    assertOneLineError(CliRunner.run("plot", broken.toString()), 1, "is not JSON lines");
    assertOneLineError(CliRunner.run("plot", fast.toString(), "--x", "tokens"), 1, "has no config.json");
    Path trainOnly = Files.createDirectories(tmp.resolve("trainonly"));
    Files.writeString(trainOnly.resolve("metrics.jsonl"), "{\"step\":1,\"train_loss\":2.0,\"val_bpb\":null}\n");
    assertOneLineError(CliRunner.run("plot", trainOnly.toString(), "--metric", "val_bpb"), 1, "no val_bpb values");
  }

  @Test
  void badFlagsAreOneLineAndExit2() {
    assertOneLineError(CliRunner.run("plot", fast.toString(), "--metric", "loss,perplexity"), 2,
        "unknown metric 'perplexity' (accepted: loss, train_loss, val_loss, val_bpb, lr, grad_norm, tokens_per_s, ms_per_step)");
    assertOneLineError(CliRunner.run("plot", fast.toString(), "--width", "5"), 2, "--width must be at least 20");
    assertOneLineError(CliRunner.run("plot", fast.toString(), "--height", "1"), 2, "--height must be at least 3");
    assertOneLineError(CliRunner.run("plot", fast.toString(), "--x", "time"), 2, "--x");
    assertOneLineError(CliRunner.run("plot"), 2, "RUN");
  }
}
