package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GenerationLoopTest {
  private static final Tokenizer BYTES = Tokenizer.bytesOnly(); // 0..255 and <|endoftext|> = 256

  /** A byte bigram model: logit(next | prev) = log(count(prev, next) + 0.01) over a training text. */
  static final class Bigram implements NextTokenModel {
    final double[][] logits;
    final float[] out;

    Bigram(String text, int vocab) {
      byte[] b = text.getBytes(StandardCharsets.UTF_8);
      double[][] counts = new double[vocab][vocab];
      for (int i = 0; i + 1 < b.length; i++) counts[b[i] & 0xff][b[i + 1] & 0xff]++;
      logits = new double[vocab][vocab];
      for (int p = 0; p < vocab; p++) for (int n = 0; n < vocab; n++) logits[p][n] = Math.log(counts[p][n] + 0.01);
      out = new float[vocab];
    }

    @Override
    public int vocabSize() {
      return out.length;
    }

    @Override
    public int contextLength() {
      return 8;
    }

    @Override
    public float[] nextLogits(int[] tokens, int length) {
      for (int i = 0; i < out.length; i++) out[i] = (float) logits[tokens[length - 1]][i];
      return out;
    }
  }

  private static final class Collect implements GenerationLoop.Listener {
    final StringBuilder printed = new StringBuilder();
    final List<Integer> ids = new ArrayList<>();

    @Override
    public void token(GenerationLoop.Token t) {
      printed.append(t.printable());
      ids.add(t.id());
    }

    @Override
    public void trailingText(String text) {
      printed.append(text);
    }
  }

  private static GenerationLoop.Result run(NextTokenModel m, String prompt, SamplerSettings s, Collect c) {
    GenerationLoop loop = new GenerationLoop(m, BYTES);
    return loop.generate(loop.promptTokens(prompt), s, 0, c, () -> false);
  }

  @Test
  void greedyFollowsTheMostLikelyChainAndStopsAtTheTokenLimit() {
    Bigram m = new Bigram("abcabcabc", 257);
    Collect c = new Collect();
    var r = run(m, "a", SamplerSettings.defaults().withTemperature(0).withMaxNewTokens(5), c);
    assertEquals("bcabc", r.text());
    assertEquals("bcabc", c.printed.toString());
    assertEquals(GenerationLoop.StopReason.MAX_TOKENS, r.reason());
    assertEquals(5, r.newTokens().length);
    assertEquals("abcabc", BYTES.decode(r.context()));
    assertEquals(5, r.draws());
  }

  @Test
  void theEndOfTextTokenEndsTheTextAndStaysOutOfIt() {
    Bigram m = new Bigram("xy", 257);
    m.logits['y'][256] = 10; // after 'y' the model ends the document
    var r = run(m, "x", SamplerSettings.defaults().withTemperature(0).withMaxNewTokens(50), new Collect());
    assertEquals("y", r.text());
    assertEquals(GenerationLoop.StopReason.END_OF_TEXT, r.reason());
    assertArrayEquals(new int[] {'y', 256}, r.newTokens());
    assertEquals("xy", BYTES.decode(r.context()));
  }

  @Test
  void aStopStringEndsTheTextAndNoneOfItIsPrinted() {
    Bigram m = new Bigram("abcd efgh abcd efgh ", 257);
    Collect c = new Collect();
    var r = run(m, "a", SamplerSettings.defaults().withTemperature(0).withStopStrings(List.of(" ef")), c);
    assertEquals("bcd", r.text());
    assertEquals("bcd", c.printed.toString());
    assertEquals(GenerationLoop.StopReason.STOP_STRING, r.reason());
  }

  @Test
  void aCharacterSplitOverByteTokensPrintsWhole() {
    Bigram m = new Bigram("aéaéaé", 257);
    List<String> pieces = new ArrayList<>();
    GenerationLoop loop = new GenerationLoop(m, BYTES);
    var r = loop.generate(loop.promptTokens("a"), SamplerSettings.defaults().withTemperature(0).withMaxNewTokens(3), 0,
        t -> pieces.add(t.printable()), () -> false);
    assertEquals(List.of("", "é", "a"), pieces); // 0xC3 alone prints nothing, 0xA9 completes é
    assertEquals("éa", r.text());
  }

  @Test
  void theSameSeedGivesTheSameTextAndDrawsContinueAcrossCalls() {
    Bigram m = new Bigram("the cat sat on the mat and the rat ate the hat", 257);
    SamplerSettings s = SamplerSettings.defaults().withTemperature(1.0).withMaxNewTokens(40).withSeed(11);
    String a = run(m, "t", s, new Collect()).text();
    String b = run(m, "t", s, new Collect()).text();
    String other = run(m, "t", s.withSeed(12), new Collect()).text();
    assertEquals(a, b);
    assertNotEquals(a, other);
    // 20 tokens, then 20 more starting at draw 20, equal 40 in one go.
    GenerationLoop loop = new GenerationLoop(m, BYTES);
    var first = loop.generate(loop.promptTokens("t"), s.withMaxNewTokens(20), 0, t -> {}, () -> false);
    var second = loop.generate(first.context(), s.withMaxNewTokens(20), first.draws(), t -> {}, () -> false);
    assertEquals(a, first.text() + second.text());
  }

  @Test
  void cancellingStopsAfterTheCurrentToken() {
    Bigram m = new Bigram("abababab", 257);
    AtomicInteger seen = new AtomicInteger();
    GenerationLoop loop = new GenerationLoop(m, BYTES);
    var r = loop.generate(loop.promptTokens("a"), SamplerSettings.defaults().withTemperature(0), 0,
        t -> seen.incrementAndGet(), () -> seen.get() >= 3);
    assertEquals(GenerationLoop.StopReason.CANCELLED, r.reason());
    assertEquals(3, r.newTokens().length);
  }

  @Test
  void anEmptyPromptStartsFromTheEndOfTextTokenOrANewline() {
    assertArrayEquals(new int[] {256}, new GenerationLoop(new Bigram("a", 257), BYTES).promptTokens(""));
    // A 256-token byte model cannot take <|endoftext|> (id 256): it starts from a newline.
    assertArrayEquals(new int[] {'\n'}, new GenerationLoop(new Bigram("a", 256), BYTES).promptTokens(""));
  }

  @Test
  void scoresAreTheModelsLogProbabilitiesAndTotalsAddUp() {
    Bigram m = new Bigram("to be or not to be", 257);
    Scorer.Result r = new Scorer(m, BYTES).score("to be", 3, () -> false);
    assertEquals(5, r.tokens().size());
    assertEquals(5, r.scoredTokens(), "the first token is scored after <|endoftext|>");
    double total = 0;
    int[] seq = {256, 't', 'o', ' ', 'b', 'e'};
    for (int i = 1; i < seq.length; i++) {
      double[] row = m.logits[seq[i - 1]];
      double z = 0;
      for (double v : row) z += Math.exp(v);
      double expected = row[seq[i]] - Math.log(z);
      assertEquals(expected, r.tokens().get(i - 1).logprob(), 1e-5, "token " + i);
      total -= expected;
    }
    assertEquals(total, r.totalNll(), 1e-4);
    assertEquals(total / 5, r.meanNll(), 1e-4);
    assertEquals(Math.exp(total / 5), r.perplexity(), 1e-3);
    assertEquals(total / Math.log(2) / 5, r.bitsPerByte(), 1e-4);
    assertEquals(1, r.tokens().get(1).rank(), "'o' after 't' is the bigram's favourite");
    assertEquals(3, r.tokens().get(1).top().size());
  }

  @Test
  void withoutAnEndOfTextTokenTheFirstTokenIsNotScored() {
    Bigram m = new Bigram("to be or not to be", 256);
    Scorer.Result r = new Scorer(m, BYTES).score("to be", 0, () -> false);
    assertTrue(!r.tokens().get(0).scored());
    assertEquals(4, r.scoredTokens());
    assertEquals(4, r.scoredBytes());
  }
}
