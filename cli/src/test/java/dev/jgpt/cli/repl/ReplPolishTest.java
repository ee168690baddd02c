package dev.jgpt.cli.repl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.GenerationLoop;
import dev.jgpt.transformer.SamplerSettings;
import dev.jgpt.transformer.interop.LoadedModel;
import dev.jgpt.transformer.TokenProbabilities;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REPL as a new user meets it: one scale for both bars, tables that fit the terminal, the colour legend, :add, :save, wording. */
class ReplPolishTest {
  private final ReplSessionTest.Bigram model = new ReplSessionTest.Bigram();
  private int errors;

  private String session(String script, Style style, int width) throws IOException {
    StringWriter text = new StringWriter();
    ReplSession.ModelLoader loader = run -> new LoadedModel(run, model, Tokenizer.bytesOnly(), null, null);
    try (ReplSession s = new ReplSession(loader, new PrintWriter(text), style, SamplerSettings.defaults().withSeed(5))) {
      s.setWidth(() -> width);
      s.loadInitial("runs/fake");
      PipeRepl.run(s, new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)));
      errors = s.errors();
    }
    return text.toString();
  }

  private String session(String script) throws IOException {
    return session(script, Style.plain(), 80);
  }

  /** Bars of a plain-text row: the runs of '#', in order. */
  private static List<Integer> bars(String row) {
    Matcher m = Pattern.compile("#+").matcher(row);
    return m.results().map(r -> r.group().length()).toList();
  }

  /** A two-token vocabulary: the model says 83% / 17%, the sampler 94% / 6%. */
  private static TokenProbabilities sharpened() {
    float[] logits = {(float) Math.log(0.83), (float) Math.log(0.17)};
    return TokenProbabilities.of(logits, 2, new float[] {0.94f, 0.06f}, -1);
  }

  @Test
  void theModelAndTheSamplerBarsHaveOneScale() {
    for (int width : new int[] {60, 80, 200}) {
      List<String> lines = ProbabilityView.render(sharpened(), 2, id -> "\"" + id + "\"", Style.plain(), true, width);
      List<Integer> first = bars(lines.get(1));
      assertEquals(2, first.size(), lines.get(1));
      int model = first.get(0), sampler = first.get(1);
      assertTrue(sampler > model, "a 94% sampler bar is longer than an 83% model bar at " + width + ": " + lines.get(1));
      // the same cells per 100%: both agree with one bar length, to rounding
      double cellsPer100 = model / 0.83;
      assertEquals(0.94 * cellsPer100, sampler, 1.5, lines.get(1));
    }
  }

  @Test
  void tablesFitTheTerminalsWidthAndGrowWithIt() throws IOException {
    String script = ":topk 2\n:next to b\n:probs on 3\n:max 2\nto\n:probs off\n:score to be or not to be, that is the "
        + "question\n:step\n:tok to be or not to be, that is the question. to be is to do.\n:show\n:help\n";
    for (int width : new int[] {60, 80, 200}) {
      String out = session(script, Style.terminal(), width);
      for (String line : out.lines().toList()) {
        assertTrue(Layout.visibleLength(line) < width, width + " columns, but " + Layout.visibleLength(line) + ": " + line);
      }
      assertEquals(0, errors, out);
    }
    // wider: longer bars for the same probability
    String narrow = session(":next to b\n", Style.plain(), 60), wide = session(":next to b\n", Style.plain(), 200);
    assertTrue(bars(wide.lines().toList().get(1)).get(0) > 2 * bars(narrow.lines().toList().get(1)).get(0),
        narrow + "\n" + wide);
  }

  @Test
  void theColourLegendComesOnceAfterColouredTextAndInHelp() throws IOException {
    String legend = Style.terminal().legend();
    String plainLegend = Layout.visibleLength(legend) + "";
    assertTrue(legend.contains("≥50%") && legend.contains("20-50%") && legend.contains("5-20%") && legend.contains("1-5%")
        && legend.contains("<1%"), legend);
    String out = session(":max 3\nto\nto\n:score to be\n", Style.terminal(), 80);
    assertEquals(1, out.lines().filter(l -> l.contains(legend)).count(), "once per session: " + out);
    assertTrue(session(":help\n", Style.terminal(), 80).contains(legend));
    String plain = session(":max 3\nto\n:help\n:score to be\n");
    assertFalse(plain.contains("probability:"), "no legend without colours: " + plain + plainLegend);
  }

  @Test
  void addAppendsToTheContextAndAnEmptyLineGoesOnFromIt() throws IOException {
    String out = session(":temp 0\n:max 2\nto\n:add  b\n\n:show\n");
    List<String> l = out.lines().toList();
    String first = l.get(0); // greedy after "to"
    assertEquals("  context (" + (2 + first.length() + 2) + " tokens): to" + first + " [b]", l.get(1), out);
    assertEquals("e ", l.get(2), "the continuation goes on from the added ' b': " + out);
    assertTrue(out.contains("context     " + (2 + first.length() + 2 + 2) + " tokens: \"to" + first + " be \""), out);
    assertEquals(0, errors, out);
    String fresh = session(":add to b\n:temp 0\n:max 2\n\n");
    assertEquals(List.of("  context (4 tokens): to [b]", "e "), fresh.lines().toList(), "an empty context starts with it");
    assertTrue(session(":add\n").startsWith("error: :add needs TEXT"));
  }

  @Test
  void helpSaysTypedTextStartsANewContextAndNamesAdd() throws IOException {
    String help = session(":help\n");
    assertTrue(help.contains("starts a new context"), help);
    assertTrue(help.contains(":add TEXT"), help);
  }

  @Test
  void savedScriptsLoadRunsByAbsolutePath(@TempDir Path dir) throws IOException {
    Path here = Path.of("").toAbsolutePath();
    Path run = Files.createTempDirectory(here.resolve("target"), "run");
    try {
      String relative = here.relativize(run).toString();
      Path file = dir.resolve("s.jgpt");
      session(":load " + relative + "\n:save " + file + "\n");
      String script = Files.readString(file);
      assertTrue(script.contains("\n:load " + run + "\n"), script);
      assertFalse(script.contains(":load " + relative + "\n"), script);
      assertTrue(script.contains("\n:load runs/fake\n"), "a run that is not a folder here is kept as typed: " + script);
    } finally {
      Files.delete(run);
    }
  }

  @Test
  void saveIntoAMissingFolderIsAnErrorAndCreatesNothing(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("no").resolve("such");
    String out = session(":save " + missing.resolve("s.jgpt") + "\n");
    assertEquals(1, out.lines().count(), out);
    assertTrue(out.startsWith("error: :save: no folder " + missing), out);
    assertFalse(Files.exists(dir.resolve("no")), "no folder made");
    assertEquals(1, errors);
  }

  @Test
  void theSummarySaysWhyGenerationStopped() throws IOException {
    String out = session(":temp 0\n:max 3\nto\n:max 20\n:stop o t\nto b\n", Style.terminal(), 80);
    assertTrue(out.contains("; stopped: length]"), out);
    assertTrue(out.contains("; stopped: stop string]"), out);
    assertFalse(out.contains("ended by"), out);
    assertEquals("cancelled", ReplPrinter.stopReason(GenerationLoop.StopReason.CANCELLED));
    assertEquals("end of text", ReplPrinter.stopReason(GenerationLoop.StopReason.END_OF_TEXT));
  }

  @Test
  void countsOfOneAreSingular() throws IOException {
    assertTrue(session(":tok a\n").contains("  1 token, 1 byte, "));
    String out = session(":temp 0\n:max 1\n:score t\nt\n", Style.terminal(), 80);
    assertTrue(out.contains("1 token (1 scored, 1 byte)"), out);
    assertTrue(out.contains("[1 token, "), out);
    try (Backend be = Backends.open("cpu", 1)) {
      assertTrue(be.description().startsWith("CPU, 1 thread, "), be.description());
    }
  }
}
