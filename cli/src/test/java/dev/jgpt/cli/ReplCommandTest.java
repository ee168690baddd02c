package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.transformer.TinyRun;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code jgpt repl} driven through a pipe, end to end on a tiny model trained in the test. */
class ReplCommandTest {

  private static CliRunner.Result repl(String script) throws Exception {
    return CliRunner.runWithInput(script, "repl", "--run", TinyRun.shared().toString(), "--threads", "1");
  }

  @Test
  void scoreFromAPipeWorksInScripts() throws Exception {
    CliRunner.Result r = repl(":score to be or not\n");
    assertEquals(0, r.exitCode(), r.toString());
    List<String> lines = r.out().lines().toList();
    assertEquals(1 + 12 + 2, lines.size(), "header, 12 tokens, the totals wrapped to 80 columns: " + r.out());
    assertTrue(lines.get(13).contains("12 tokens (12 scored, 12 bytes)"), r.out());
    assertFalse(r.out().contains("\u001b"), "no control codes in a pipe");
  }

  @Test
  void theReplAndTheScoreCommandAgree() throws Exception {
    // the totals: the last two lines (wrapped at 80 columns in both)
    List<String> repl = repl(":score to be or not\n").out().lines().toList();
    List<String> score = CliRunner.run("score", "--run", TinyRun.shared().toString(), "--text", "to be or not")
        .out().lines().toList();
    assertEquals(score.subList(score.size() - 2, score.size()), repl.subList(repl.size() - 2, repl.size()));
  }

  @Test
  void greedyTextMatchesTheGenerateCommand() throws Exception {
    CliRunner.Result r = repl(":temp 0\n:max 25\nto be or not\n");
    CliRunner.Result g = CliRunner.run("generate", "--run", TinyRun.shared().toString(), "--prompt", "to be or not",
        "--temperature", "0", "--max-new-tokens", "25");
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(g.out(), r.out());
  }

  @Test
  void aWholeSessionWalksTokensAndKeepsGoingAfterErrors() throws Exception {
    String script = String.join("\n",
        ":temp 0", ":step to be or no", ":pick 2", ":back", ":step", ":next", ":probs on 3", ":max 2",
        "to be", ":tok to", ":bogus", ":topk x", ":show", ":quit", ":never") + "\n";
    CliRunner.Result r = repl(script);
    assertEquals(1, r.exitCode(), "a piped session with errors exits 1: " + r);
    String out = r.out();
    assertTrue(out.contains("to be or no[t]"), out);
    assertTrue(out.contains("[1] "), out);
    assertTrue(out.contains("116 \"t\"  111 \"o\""), out);
    assertTrue(out.contains("error: unknown command :bogus; type :help for the list"), out);
    assertTrue(out.contains("error: :topk needs a whole number, got 'x'"), out);
    assertTrue(out.contains("temperature 0 (greedy)"), out);
    assertEquals(2, out.lines().filter(l -> l.startsWith("error: ")).count(), out);
  }

  @Test
  void withoutARunTheReplSaysSoInOneLineAndGoesOn() throws Exception {
    CliRunner.Result r = CliRunner.runWithInput(":temp 0.5\n:show\n", "repl", "--run", "/no/such/run");
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.out().lines().findFirst().orElseThrow().startsWith("error: no such file: /no/such/run"), r.toString());
    assertTrue(r.out().contains("temperature 0.5"), r.toString());
  }
}
