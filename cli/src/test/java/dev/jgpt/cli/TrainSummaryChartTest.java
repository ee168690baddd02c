package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loss chart in {@code jgpt train}'s summary: on a terminal (faked with jgpt.terminal) only. */
class TrainSummaryChartTest {
  @TempDir Path tmp;

  @AfterEach
  void clearTerminal() {
    System.clearProperty(StdoutTerminal.PROPERTY);
  }

  private CliRunner.Result train(Path run) throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 300; i++) text.append("line ").append(i).append(": the quick brown fox jumps over the lazy dog.\n");
    Path corpus = tmp.resolve("corpus.txt");
    if (!Files.exists(corpus)) Files.writeString(corpus, text);
    return CliRunner.run("train", "--corpus", corpus.toString(), "--preset", "tiny", "--out", run.toString(),
        "--cache-dir", tmp.resolve("cache").toString(), "--threads", "1", "--max-iters", "6", "--eval-interval", "3",
        "--log-interval", "1", "--sample-tokens", "0");
  }

  @Test
  void onATerminalTheSummaryEndsWithTheLossChartAndWhatToDoNext() throws IOException {
    System.setProperty(StdoutTerminal.PROPERTY, "true");
    Path run = tmp.resolve("run");
    CliRunner.Result r = train(run);
    assertEquals(0, r.exitCode(), r.toString());
    String summary = r.out().substring(r.out().indexOf("step 6: train loss"));
    assertTrue(summary.contains("loss (nats/token)\n"), summary);
    assertTrue(summary.contains("\u001b[36m⣿\u001b[0m train loss") && summary.contains("\u001b[33m⣿\u001b[0m val loss"),
        "coloured legend:\n" + summary);
    assertTrue(summary.chars().anyMatch(c -> c > 0x2800 && c <= 0x28FF), "braille curves:\n" + summary);
    assertTrue(summary.strip().endsWith("next: ./jgpt repl --run " + run + " to talk to the model, ./jgpt plot " + run
        + " for its loss curves, ./jgpt serve --runs " + run.toAbsolutePath().getParent() + " to explore it in a browser"),
        summary);
  }

  @Test
  void inAPipeTheSummaryStaysPlainText() throws IOException {
    System.setProperty(StdoutTerminal.PROPERTY, "false");
    Path run = tmp.resolve("run");
    CliRunner.Result r = train(run);
    assertEquals(0, r.exitCode(), r.toString());
    assertFalse(r.out().contains("loss (nats/token)"), r.out());
    assertTrue(r.out().strip().endsWith("to explore it in a browser") && r.out().contains("./jgpt plot " + run), r.out());
  }
}
