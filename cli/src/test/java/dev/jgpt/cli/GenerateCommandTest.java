package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.transformer.TinyRun;
import dev.jgpt.common.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code jgpt generate} end to end on a tiny model trained in the test. */
class GenerateCommandTest {

  private static CliRunner.Result generate(String... extra) throws Exception {
    String[] args = new String[extra.length + 5];
    args[0] = "generate";
    args[1] = "--run";
    args[2] = TinyRun.shared().toString();
    args[3] = "--threads";
    args[4] = "1";
    System.arraycopy(extra, 0, args, 5, extra.length);
    return CliRunner.run(args);
  }

  @Test
  void greedyGenerationContinuesTheTrainingText() throws Exception {
    CliRunner.Result r = generate("--prompt", "to be or not", "--temperature", "0", "--max-new-tokens", "30");
    assertEquals(0, r.exitCode(), r.toString());
    String text = "to be or not" + r.out().stripTrailing();
    assertTrue(TinyRun.TEXT.repeat(3).contains(text.substring(0, 24)), "the model learned the text: " + r);
  }

  @Test
  void theSameSeedGivesTheSameTextAndAnotherSeedAnotherText() throws Exception {
    String a = generate("--prompt", "to", "--temperature", "1.5", "--seed", "1", "--max-new-tokens", "40").out();
    String b = generate("--prompt", "to", "--temperature", "1.5", "--seed", "1", "--max-new-tokens", "40").out();
    String c = generate("--prompt", "to", "--temperature", "1.5", "--seed", "2", "--max-new-tokens", "40").out();
    assertEquals(a, b);
    assertNotEquals(a, c);
  }

  @Test
  @SuppressWarnings("unchecked")
  void jsonGivesOneObjectPerTokenWithLogprobsAndTopAlternatives() throws Exception {
    CliRunner.Result r = generate("--prompt", "to be", "--max-new-tokens", "6", "--json", "--top-logprobs", "3",
        "--seed", "4");
    assertEquals(0, r.exitCode(), r.toString());
    List<String> lines = r.out().lines().toList();
    assertEquals(7, lines.size(), r.out());
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      Map<String, Object> o = Json.parseObject(lines.get(i));
      assertEquals((long) i, o.get("index"));
      double logprob = ((Number) o.get("logprob")).doubleValue();
      assertTrue(logprob <= 0, lines.get(i));
      List<Object> top = (List<Object>) o.get("top");
      assertEquals(3, top.size());
      double previous = 0;
      for (Object alt : top) {
        double lp = ((Number) ((Map<String, Object>) alt).get("logprob")).doubleValue();
        assertTrue(lp <= previous + 1e-9, "alternatives are most likely first: " + lines.get(i));
        previous = lp;
      }
      long rank = (Long) o.get("rank");
      if (rank <= 3) {
        assertEquals(o.get("id"), ((Map<String, Object>) top.get((int) rank - 1)).get("id"), lines.get(i));
      }
      text.append(o.get("text"));
    }
    Map<String, Object> summary = Json.parseObject(lines.get(6));
    assertEquals("length", summary.get("finish_reason"));
    assertEquals(text.toString(), summary.get("text"));
    assertEquals(4L, summary.get("seed"));
  }

  @Test
  void aStopStringEndsTheOutputBeforeIt() throws Exception {
    CliRunner.Result r = generate("--prompt", "to be or not", "--temperature", "0", "--stop", "question",
        "--max-new-tokens", "100");
    assertEquals(0, r.exitCode(), r.toString());
    assertFalse(r.out().contains("question"), r.out());
    assertTrue(r.out().length() < 60, r.out());
  }

  /** The closing line's speed is the token count over the generation's own time (no JVM start, no model load). */
  @Test
  void theSummarysTokensPerSecondIsItsTokensOverItsSeconds() throws Exception {
    CliRunner.Result r = generate("--prompt", "to be", "--max-new-tokens", "50", "--json", "--seed", "4");
    assertEquals(0, r.exitCode(), r.toString());
    List<String> lines = r.out().lines().toList();
    Map<String, Object> summary = Json.parseObject(lines.getLast());
    long tokens = (Long) summary.get("tokens");
    double seconds = ((Number) summary.get("seconds")).doubleValue();
    double rate = ((Number) summary.get("tokens_per_s")).doubleValue();
    assertTrue(seconds > 0, r.out());
    assertEquals(tokens / seconds, rate, 0.05 + 1e-9 * rate, "tokens_per_s is rounded to 0.1: " + lines.getLast());
  }

  /** {@code jgpt generate | head -c 20}: the reader goes away, generation stops at once, quietly. */
  @Test
  void generationStopsQuietlyWhenTheOutputPipeCloses() throws Exception {
    ClosingPipe pipe = new ClosingPipe(20);
    CliRunner.Result r = CliRunner.runWithStreams(new byte[0], pipe, "generate", "--run", TinyRun.shared().toString(),
        "--threads", "1", "--prompt", "to be", "--max-new-tokens", "5000", "--json");
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.err(), "no message, no stack trace");
    assertTrue(pipe.writesAfterClose <= 1, "stopped after the first failed write, not after 5,000 tokens: "
        + pipe.writesAfterClose + " writes to the closed pipe");
  }

  /** A pipe whose reader leaves after {@code limit} bytes: later writes fail as a broken pipe does. */
  private static final class ClosingPipe extends java.io.OutputStream {
    private final int limit;
    private int written;
    int writesAfterClose;

    ClosingPipe(int limit) {
      this.limit = limit;
    }

    @Override
    public void write(int b) throws java.io.IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws java.io.IOException {
      if (written >= limit) {
        writesAfterClose++;
        throw new java.io.IOException("Broken pipe");
      }
      written += len;
    }
  }

  @Test
  void aMissingRunIsAOneLineError() {
    CliRunner.Result r = CliRunner.run("generate", "--run", "/no/such/run", "--prompt", "x");
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(1, r.err().strip().lines().count(), r.toString());
    assertTrue(r.err().startsWith("jgpt generate: "), r.toString());
  }

  @Test
  void badSamplingValuesAreUsageErrorsThatNameTheFlag() throws Exception {
    CliRunner.Result r = generate("--prompt", "x", "--top-p", "1.5");
    assertEquals(2, r.exitCode(), r.toString());
    assertEquals("jgpt generate: invalid value for --top-p: top-p must be in (0, 1] (1 = off), got 1.5;"
        + " see 'jgpt generate --help'", r.err().strip());
    r = generate("--prompt", "x", "--temperature", "-1");
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.err().startsWith("jgpt generate: invalid value for --temperature: "), r.toString());
    r = generate("--prompt", "x", "--logit-bias", "oops");
    assertEquals(2, r.exitCode(), r.toString());
    assertEquals("jgpt generate: --logit-bias needs ID=BIAS like 198=-5, got 'oops'; see 'jgpt generate --help'",
        r.err().strip());
    assertEquals("", r.out());
  }

  @Test
  void anUnknownBackendIsAUsageErrorAndABadDeviceAOneLineError() throws Exception {
    CliRunner.Result r = generate("--prompt", "x", "--backend", "bogus");
    assertEquals(2, r.exitCode(), r.toString());
    assertEquals("jgpt generate: --backend bogus is not a backend; use one of auto, cpu, reference, tornado;"
        + " see 'jgpt generate --help'",
        r.err().strip());
    r = generate("--prompt", "x", "--backend", "cpu", "--device", "3");
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("jgpt generate: --device 3: backend cpu has 1 device(s), 0..0; see `jgpt devices`", r.err().strip());
    r = generate("--prompt", "x", "--device", "-1");
    assertEquals(2, r.exitCode(), r.toString());
    r = generate("--prompt", "to be", "--backend", "CPU", "--device", "0", "--temperature", "0", "--max-new-tokens", "3");
    assertEquals(0, r.exitCode(), r.toString());
  }

  @Test
  void bf16WeightsGenerateTheLearnedTextAndBadFormatsAreUsageErrors() throws Exception {
    CliRunner.Result r = generate("--prompt", "to be or not", "--temperature", "0", "--max-new-tokens", "30",
        "--weights", "bf16", "--backend", "cpu");
    assertEquals(0, r.exitCode(), r.toString());
    String text = "to be or not" + r.out().stripTrailing();
    assertTrue(TinyRun.TEXT.repeat(3).contains(text.substring(0, 24)), "bf16 keeps what the model learned: " + r);
    r = generate("--prompt", "x", "--weights", "f8");
    assertEquals(2, r.exitCode(), r.toString());
    assertEquals("jgpt generate: --weights must be f32 or bf16, got 'f8'; see 'jgpt generate --help'", r.err().strip());
  }

  @Test
  void aBanOutsideTheVocabularyIsAnErrorNotIgnored() throws Exception {
    CliRunner.Result r = generate("--prompt", "x", "--ban", "9999", "--max-new-tokens", "3");
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("jgpt generate: banned token id 9999 is not in the model's vocabulary 0..256; look ids up with :tok"
        + " or 'jgpt tokenizer encode'", r.err().strip());
  }

  @Test
  void escapesInStopStringsAreReadAsTheCharacters() throws Exception {
    // Greedy decoding continues the training text ("to be, that is"); the flag value backslash-u002c is a comma.
    CliRunner.Result r = generate("--prompt", "to be or not to", "--temperature", "0", "--max-new-tokens", "40",
        "--stop", "\\u002c");
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(" be\n", r.out(), r.toString());
  }
}
