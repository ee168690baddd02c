package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.transformer.TinyRun;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** :attn, :lens and :similar in {@code jgpt repl} driven through a pipe, on the tiny model trained in the test. */
class InspectReplTest {

  private static CliRunner.Result repl(String script) throws Exception {
    return CliRunner.runWithInput(script, "repl", "--run", TinyRun.shared().toString(), "--threads", "1");
  }

  private static List<String> lines(CliRunner.Result r) {
    return r.out().lines().toList();
  }

  @Test
  void attnWithoutArgumentsGivesOneLinePerLayerAndHead() throws Exception {
    CliRunner.Result r = repl(":temp 0\n:step to be or not to b\n:attn\n");
    assertEquals(0, r.exitCode(), r.toString());
    List<String> overview = lines(r).stream().filter(l -> l.matches("  +\\d+ +\\d+  \\|.*")).toList();
    assertEquals(2 * 2, overview.size(), r.out()); // 2 layers x 2 heads
    assertTrue(r.out().contains("attention of the last token 17 \"e\""), r.out()); // "to be or not to b" + "e"
    for (String l : overview) assertTrue(l.matches(".*\\|  \\d+ \".*\" \\d+%.*"), l);
    assertFalse(r.out().contains("\u001b"), "no control codes in a pipe");
  }

  @Test
  void attnLayerHeadIsACausalHeatMapWithARowPerToken() throws Exception {
    CliRunner.Result r = repl("to be or\n:reset\n:max 1\n:temp 0\nto be\n:attn 2 1\n");
    assertEquals(0, r.exitCode(), r.toString());
    List<String> out = lines(r);
    int title = out.indexOf(out.stream().filter(l -> l.startsWith("  layer 2 head 1: ")).findFirst().orElseThrow());
    // context: "to be" + one generated token = 6 tokens; a header of their first characters (a space
    // shown as ·), then one row each. Which token the tiny test model picks depends on its training's
    // last bits, so the header's last cell is any one character.
    assertTrue(out.get(title + 1).matches(" {18}t o · b e \\S"), out.get(title + 1) + "\n" + r.out());
    List<String> rows = out.subList(title + 2, title + 8);
    for (int q = 0; q < 6; q++) {
      String row = rows.get(q);
      assertTrue(row.startsWith(String.format("  %3d ", q)), row);
      String cells = row.length() > 18 ? row.substring(18) : "";
      assertTrue(cells.length() <= 2 * (q + 1), "no weight after the query (causal): '" + row + "'");
      assertTrue(cells.chars().allMatch(c -> " ░▒▓█".indexOf(c) >= 0), row);
    }
    assertTrue(rows.get(0).endsWith("██"), "the first token attends only to itself: " + rows.get(0));
  }

  @Test
  void attnOnALongContextShowsTheLastTokensThatFitAndTheWindow() throws Exception {
    // 31 bytes and one generated: 32 tokens, the whole window; 80 columns hold 30
    CliRunner.Result r = repl(":temp 0\n:max 1\nto be or not to be, that is the\n:attn 1 1\n");
    assertEquals(0, r.exitCode(), r.toString());
    String title = lines(r).stream().filter(l -> l.startsWith("  layer 1 head 1: ")).findFirst().orElseThrow();
    assertTrue(title.endsWith("the last 30 of 32 tokens (widen the terminal for more)"), title);
    assertEquals(30, lines(r).stream().filter(l -> l.matches("  +\\d+ \".*")).count(), r.out());
    // 41 tokens: the model's window starts at token 16
    r = repl(":temp 0\n:max 1\nto be or not to be, that is the question\n:attn 1 1\n");
    assertTrue(r.out().contains("(the model sees the last 25 of the 41 tokens: positions below count from token 16)"),
        r.out());
  }

  @Test
  void lensShowsEveryLayerAndTheLastOneIsTheModelsPrediction() throws Exception {
    CliRunner.Result r = repl(":lens to be or not to b\n:temp 0\n:next to be or not to b\n");
    assertEquals(0, r.exitCode(), r.toString());
    List<String> out = lines(r);
    assertTrue(out.get(0).contains("the model predicts \"e\""), r.out());
    assertTrue(out.get(2).startsWith("  emb "), r.out());
    assertTrue(out.get(3).startsWith("  1 "), r.out());
    String last = out.get(4);
    assertTrue(last.startsWith("  2 out \"e\" "), r.out());
    assertTrue(last.endsWith(" 1"), "the predicted token has rank 1 at the output: " + last);
    // the output row's probability is the one :next shows for "e", each rounded to the digits it shows
    String percent = last.substring(last.indexOf("\"e\" ") + 4).split("%")[0].trim();
    String next = out.stream().filter(l -> l.contains(" \"e\" ")).reduce((a, b) -> b).orElseThrow();
    Matcher shown = Pattern.compile(" ([0-9.]+)%").matcher(next);
    assertTrue(shown.find(), next);
    double lens = Double.parseDouble(percent), nextPercent = Double.parseDouble(shown.group(1));
    assertEquals(lens, nextPercent, halfUnit(percent) + halfUnit(shown.group(1)) + 1e-9, next + " vs " + last);
  }

  @Test
  void similarPutsTheTokenItselfFirstWithSimilarityOne() throws Exception {
    CliRunner.Result r = repl(":similar o\n:similar #116\n:similar to\n");
    List<String> out = lines(r);
    assertTrue(out.get(0).startsWith("  tokens nearest to 111 \"o\""), r.out());
    assertTrue(out.get(1).matches("    1     111 \"o\" +1\\.000 +#+"), out.get(1));
    assertEquals(10, out.stream().skip(1).takeWhile(l -> !l.startsWith("  tokens")).count(), r.out());
    assertTrue(r.out().contains("    1     116 \"t\""), r.out());
    assertTrue(r.out().contains("error: :similar needs one token, and to is 2: \"t\" \"o\" (or give #ID)"), r.out());
    assertEquals(1, r.exitCode());
  }

  // half a unit in the last digit of a printed number: how far rounding may have moved it
  private static double halfUnit(String printed) {
    int dot = printed.indexOf('.');
    return 0.5 * Math.pow(10, dot < 0 ? 0 : -(printed.length() - dot - 1));
  }
}
