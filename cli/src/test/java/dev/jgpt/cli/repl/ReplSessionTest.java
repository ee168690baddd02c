package dev.jgpt.cli.repl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.HeapBudget;
import dev.jgpt.transformer.MemoryCheck;
import dev.jgpt.transformer.MemoryEstimate;
import dev.jgpt.transformer.NextTokenModel;
import dev.jgpt.transformer.SamplerSettings;
import dev.jgpt.transformer.interop.LoadedModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scripted REPL sessions against a byte bigram model whose probabilities the tests can compute. */
class ReplSessionTest {
  private static final String TEXT = "to be or not to be, that is the question. to be is to do. ";

  /** logit(next | prev) = log(count(prev, next) + 0.01) over {@link #TEXT}; vocabulary of bytesOnly (257). */
  static final class Bigram implements NextTokenModel {
    final double[][] logits = new double[257][257];
    final float[] out = new float[257];
    int calls;

    Bigram() {
      byte[] b = TEXT.getBytes(StandardCharsets.UTF_8);
      double[][] counts = new double[257][257];
      for (int i = 0; i + 1 < b.length; i++) counts[b[i]][b[i + 1]]++;
      for (int p = 0; p < 257; p++) for (int n = 0; n < 257; n++) logits[p][n] = Math.log(counts[p][n] + 0.01);
    }

    /** The model's probability of {@code next} after {@code prev}. */
    double p(int prev, int next) {
      double z = 0;
      for (double v : logits[prev]) z += Math.exp(v);
      return Math.exp(logits[prev][next]) / z;
    }

    @Override
    public int vocabSize() {
      return 257;
    }

    @Override
    public int contextLength() {
      return 64;
    }

    @Override
    public float[] nextLogits(int[] tokens, int length) {
      calls++;
      for (int i = 0; i < 257; i++) out[i] = (float) logits[tokens[length - 1]][i];
      return out;
    }
  }

  private final Bigram model = new Bigram();
  private final List<String> loads = new ArrayList<>();
  private int errors;

  private ReplSession.ModelLoader loader() {
    return run -> {
      if (run.equals("missing")) throw new java.nio.file.NoSuchFileException("missing");
      loads.add(run);
      return new LoadedModel(run, model, Tokenizer.bytesOnly(), null, null);
    };
  }

  private String session(String script) throws IOException {
    return session(script, SamplerSettings.defaults().withSeed(5));
  }

  private String session(String script, SamplerSettings settings) throws IOException {
    StringWriter text = new StringWriter();
    try (ReplSession s = new ReplSession(loader(), new PrintWriter(text), Style.plain(), settings)) {
      s.loadInitial("runs/fake");
      PipeRepl.run(s, new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)));
      errors = s.errors();
    }
    return text.toString();
  }

  /** What greedy decoding of the bigram gives after {@code prompt}: n bytes. */
  private String greedy(String prompt, int n) {
    int prev = prompt.charAt(prompt.length() - 1);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int j = 1; j < 257; j++) if (model.logits[prev][j] > model.logits[prev][best]) best = j;
      sb.append((char) best);
      prev = best;
    }
    return sb.toString();
  }

  private static List<String> lines(String out) {
    return out.lines().toList();
  }

  @Test
  void helpListsEveryCommandOnceEach() throws IOException {
    String out = session(":help\n");
    for (ReplCommands.Command i : ReplCommands.ALL) {
      assertEquals(1, lines(out).stream().filter(l -> l.startsWith("  " + i.name() + " ") || l.equals("  " + i.name()))
          .count(), i.name() + " in\n" + out);
    }
    assertEquals(0, errors);
  }

  @Test
  void greedyGenerationContinuesTheTextWithTheLikeliestBytes() throws IOException {
    String out = session(":temp 0\n:max 12\nto b\n");
    assertEquals(greedy("to b", 12) + "\n", out);
    assertEquals("e to to to t", greedy("to b", 12), "the bigram's favourite chain");
    assertEquals(0, errors);
  }

  @Test
  void theSameSeedReplaysTheSameTextAndAnotherSeedDoesNot() throws IOException {
    String a = session(":seed 3\n:max 40\nto\n:seed 3\nto\n:seed 4\nto\n");
    List<String> l = lines(a);
    assertEquals(3, l.size(), a);
    assertEquals(l.get(0), l.get(1));
    assertNotEquals(l.get(0), l.get(2));
  }

  @Test
  void anEmptyLineContinuesTheContext() throws IOException {
    String out = session(":temp 0\n:max 3\nto b\n\n");
    String six = greedy("to b", 6);
    assertEquals(List.of(six.substring(0, 3), six.substring(3)), lines(out));
  }

  @Test
  void probsShowsATableForEveryTokenWithTheModelsProbabilities() throws IOException {
    String out = session(":temp 0\n:max 2\n:probs on 3\nt\n");
    assertTrue(out.contains("[1] \"o\""), out);
    assertTrue(out.contains("[2] \" \""), out);
    String pct = String.format(Locale.ROOT, "%6.2f%%", 100 * model.p('t', 'o'));
    assertTrue(out.lines().anyMatch(l -> l.contains("\"o\"") && l.contains(pct) && l.startsWith("  >")), out);
    assertTrue(out.contains("entropy"), out);
    assertTrue(out.contains("drew #1 \"o\""), out);
    assertTrue(out.contains("text: \"o \""), out);
  }

  @Test
  void nextShowsTheDistributionWithoutDrawingAndTheRawBesideTheFiltered() throws IOException {
    String out = session(":topk 2\n:temp 1\n:next to b\n");
    List<String> l = lines(out);
    // header, 2 rows by default 10... rows for the top 10 of which only 2 survive top-k
    String first = l.get(1);
    assertTrue(first.contains("\"e\""), out);
    assertTrue(first.contains(String.format(Locale.ROOT, "%6.2f%%", 100 * model.p('b', 'e'))), out);
    // the sampler column: after top-k 2, 'e' keeps p(e) / (p(e) + p(second))
    long keptRows = l.stream().filter(x -> x.matches(".*%\\s+-?\\d+\\.\\d+\\s+#*\\s*\\d+\\.\\d+%$")).count();
    assertEquals(2, keptRows, out);
    assertTrue(out.contains("2 of 257 tokens kept"), out);
    assertFalse(l.stream().anyMatch(x -> x.startsWith("  >")), "nothing was drawn: " + out);
  }

  @Test
  void scorePrintsEveryTokenAndTotalsThatMatchTheModel() throws IOException {
    String out = session(":score to be\n");
    double nll = 0;
    int[] seq = {256, 't', 'o', ' ', 'b', 'e'};
    for (int i = 1; i < seq.length; i++) nll -= Math.log(model.p(seq[i - 1], seq[i]));
    assertTrue(out.contains(String.format(Locale.ROOT, "NLL %.3f nats", nll)), out);
    assertTrue(out.contains(String.format(Locale.ROOT, "perplexity %.2f", Math.exp(nll / 5))), out);
    assertTrue(out.contains(String.format(Locale.ROOT, "%.3f bits per byte", nll / Math.log(2) / 5)), out);
    assertEquals(1 + 5 + 2, lines(out).size(), "header, 5 tokens, the totals wrapped to 80 columns: " + out);
  }

  /** Piped lines that are not UTF-8 (Latin-1 'é' is one byte) are scored as the bytes they are. */
  @Test
  void scoreCountsTheBytesOfANonUtf8Line() throws IOException {
    StringWriter text = new StringWriter();
    byte[] script = ":score caf\u00e9 na\u00efve\n:tok \u00e9t\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
    try (ReplSession s = new ReplSession(loader(), new PrintWriter(text), Style.plain(), SamplerSettings.defaults())) {
      s.loadInitial("runs/fake");
      PipeRepl.run(s, new ByteArrayInputStream(script));
    }
    String out = text.toString();
    assertTrue(out.contains("10 tokens (10 scored, 10 bytes)"), out);
    assertTrue(out.contains("233 \"\\xe9\""), "the byte itself, not U+FFFD: " + out);
    assertTrue(out.contains("3 tokens, 3 bytes"), out);
  }

  @Test
  void stepPickAndBackWalkTokenByToken() throws IOException {
    String out = session(":temp 0\n:step to b\n:pick 2\n:back\n:step\n");
    List<String> contexts = lines(out).stream().filter(l -> l.startsWith("  context")).toList();
    assertEquals(4, contexts.size(), out);
    assertTrue(contexts.get(0).endsWith("to b[e]"), contexts.get(0));
    assertFalse(contexts.get(1).endsWith("to b[e]"), "pick 2 replaced the token: " + contexts.get(1));
    assertTrue(contexts.get(2).endsWith("to [b]"), contexts.get(2));
    assertTrue(contexts.get(3).endsWith("to b[e]"), contexts.get(3));
    assertEquals(0, errors, out);
  }

  @Test
  void tokShowsThePiecesWithIds() throws IOException {
    String out = session(":tok hé\n");
    assertTrue(out.contains("104 \"h\""), out);
    assertTrue(out.contains("195 \"\\xc3\""), out);
    assertTrue(out.contains("3 tokens, 3 bytes"), out);
  }

  @Test
  void tokWithoutTextIsAOneLineErrorAndASpaceIsText() throws IOException {
    String out = session(":tok\n:tok  \n");
    assertEquals(List.of("error: :tok needs TEXT, e.g. :tok To be or not to be", "  32 \" \"",
        "  1 token, 1 byte, 1.00 bytes per token"), lines(out));
    assertEquals(1, errors);
  }

  @Test
  void stopStringsEndTheText() throws IOException {
    String out = session(":temp 0\n:stop o t\nto b\n");
    assertEquals("e t\n", out);
  }

  @Test
  void errorsAreOneLineAndTheSessionGoesOn() throws IOException {
    // A bad line changes nothing: after ":probs on 0" the tables stay off, so the last line is plain text.
    String out = session(":temp abc\n:nope\n:pick 0\n:topp 7\n:probs on 0\n:load missing\n:temp 0\n:max 2\nto\n");
    List<String> l = lines(out);
    assertEquals(List.of(
        "error: :temp needs a number, got 'abc'",
        "error: unknown command :nope; type :help for the list",
        "error: :pick needs a token with context before it: :step first",
        "error: top-p must be in (0, 1] (1 = off), got 7.0",
        "error: :probs needs a positive number of rows, got 0",
        "error: no such file: missing",
        greedy("to", 2)), l);
    assertEquals(6, errors);
  }

  @Test
  void withoutAModelCommandsSayHowToGetOne() throws IOException {
    StringWriter text = new StringWriter();
    ReplSession s = new ReplSession(run -> {
      throw new IllegalStateException("no trained run found under runs/: train one with 'jgpt train' or name one with --run DIR");
    }, new PrintWriter(text), Style.plain(), SamplerSettings.defaults());
    s.loadInitial("runs/x");
    PipeRepl.run(s, new ByteArrayInputStream(":temp 0.5\nhello\n:show\n".getBytes(StandardCharsets.UTF_8)));
    List<String> l = lines(text.toString());
    assertTrue(l.get(0).startsWith("error: no trained run found"), text.toString());
    assertTrue(l.get(1).startsWith("error: no model loaded"), text.toString());
    assertTrue(text.toString().contains("temperature 0.5"), text.toString());
  }

  @Test
  void aModelTooLargeForTheHeapIsRefusedNamingTheRun() throws IOException {
    StringWriter text = new StringWriter();
    HeapBudget tiny = new HeapBudget(4096, 4096, 16_000_000_000L);
    MemoryEstimate xl = new MemoryEstimate(List.of(new MemoryEstimate.Part("parameters", 6_200_000_000L)));
    ReplSession s = new ReplSession(run -> {
      MemoryCheck.requireFits(xl, tiny, null);
      throw new AssertionError("requireFits refuses it");
    }, new PrintWriter(text), Style.plain(), SamplerSettings.defaults());
    s.loadInitial("runs/xl");
    PipeRepl.run(s, new ByteArrayInputStream(":load runs/big\n".getBytes(StandardCharsets.UTF_8)));
    List<String> l = lines(text.toString());
    assertTrue(l.get(0).startsWith("error: runs/xl: this model needs "), text.toString());
    assertTrue(l.get(1).startsWith("error: runs/big: this model needs "), text.toString());
  }

  @Test
  void loadSwitchesTheModelAndQuitEndsTheSession() throws IOException {
    String out = session(":load runs/other\n:quit\n:tok never\n");
    assertEquals(List.of("runs/fake", "runs/other"), loads);
    assertTrue(out.startsWith("loaded runs/other"), out);
    assertFalse(out.contains("never"), out);
  }

  @Test
  void aTrailingBackslashContinuesTheInputOnTheNextLine() throws IOException {
    String out = session(":tok a\\\nb\n");
    assertTrue(out.contains("97 \"a\"  10 \"\\n\"  98 \"b\""), out);
  }

  @Test
  void showListsTheSettingsAndTheContext() throws IOException {
    String out = session(":temp 0\n:topk 5\n:penalty repetition 1.3\n:max 3\nto\n:show\n");
    assertTrue(out.contains("temperature 0 (greedy)"), out);
    assertTrue(out.contains("top-k       5"), out);
    assertTrue(out.contains("repetition 1.3"), out);
    assertTrue(out.contains("context     5 tokens: \"to" + greedy("to", 3) + "\""), out);
    assertTrue(out.contains("runs/fake"), out);
  }

  @Test
  void aSavedSessionReplaysToTheSameText(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("session.jgpt");
    String first = session(":max 30\nto be\n:temp 1.5\nthat\n:save " + file + "\n", SamplerSettings.defaults().withSeed(99));
    String script = Files.readString(file);
    assertTrue(script.startsWith("# jgpt repl session"), script);
    assertTrue(script.contains(":seed 99"), script);
    // Replayed by a session that starts with another seed and temperature: the script sets both back.
    String replay = session(script, SamplerSettings.defaults().withSeed(1).withTemperature(0.1));
    List<String> generated = lines(first).subList(0, 2);
    assertEquals(generated, lines(replay).stream().filter(l -> !l.startsWith("loaded ")).toList(), "script:\n" + script);
  }

  @Test
  void multiLineInputAndControlCharactersInStopStringsSurviveASavedSession(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("session.jgpt");
    SamplerSettings bellStop = SamplerSettings.defaults().withSeed(5).withStopStrings(List.of("\u0007\n"));
    String first = session(":temp 0\n:max 8\n:gen t\\\no\n:save " + file + "\n", bellStop);
    assertEquals(greedy("t\no", 8), lines(first).get(0));
    String script = Files.readString(file);
    assertTrue(script.contains("\n:stop \\u0007\\n\n"), "the stop string is saved escaped, on one line: " + script);
    assertTrue(script.contains("\n:gen t\\\no\n"), "multi-line input continues with a backslash: " + script);
    String replay = session(script + ":stop\n");
    assertEquals(List.of(greedy("t\no", 8), "  stop at: \"\\u0007\\n\""),
        lines(replay).stream().filter(l -> !l.startsWith("loaded ")).toList(), "script:\n" + script);
  }

  @Test
  void aCommentIsOneLineEvenWhenItEndsInABackslash() throws IOException {
    // A saved transcript holds generated text as comments; text ending in '\' must not swallow the next command.
    String out = session("# generated text \\\n:temp 0\n:max 4\nto b\n");
    assertEquals(greedy("to b", 4) + "\n", out);
    assertEquals(0, errors);
  }

  @Test
  void banAndBiasSteerTheDrawAndAreListed() throws IOException {
    String out = session(":temp 0\n:max 3\n:ban 101\nto b\n:ban\n:ban clear\n:bias 120 50\nto b\n:bias\n:ban 999\n");
    List<String> l = lines(out);
    assertEquals(5, l.size(), out);
    assertNotEquals(greedy("to b", 3), l.get(0), "the favourite 'e' is banned");
    assertFalse(l.get(0).contains("e"), out);
    assertEquals("  banned: 101 \"e\"", l.get(1));
    assertEquals("xxx", l.get(2), "a bias of +50 makes 'x' (120) certain");
    assertEquals("  logit bias: {120=50.0}", l.get(3));
    assertEquals("error: :ban needs a token id from 0 to 256, got 999; :tok TEXT shows the ids", l.get(4));
  }

  @Test
  void aSavedSessionKeepsBansAndBiasesGivenAtTheStart(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("session.jgpt");
    SamplerSettings steered = SamplerSettings.defaults().withSeed(5).withTemperature(0)
        .withBannedTokens(java.util.Set.of(101)).withLogitBias(java.util.Map.of(32, -3f));
    String first = session(":max 10\nto b\n:save " + file + "\n", steered);
    String script = Files.readString(file);
    assertTrue(script.contains("\n:ban 101\n") && script.contains("\n:bias 32 -3.0\n"), script);
    assertEquals(lines(first).get(0), lines(session(script)).get(1), "replayed without the flags: " + script);
  }

  @Test
  void plainOutputHasNoControlCodes() throws IOException {
    String out = session(":probs on\n:max 3\nto\n:score to be\n:next to\n:show\n:help\n");
    assertFalse(out.contains("\u001b"), out);
  }
}
