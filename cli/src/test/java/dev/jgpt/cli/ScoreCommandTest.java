package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.transformer.TinyRun;
import dev.jgpt.common.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code jgpt score} end to end on a tiny model trained in the test. */
class ScoreCommandTest {

  @Test
  @SuppressWarnings("unchecked")
  void jsonScoresEveryTokenAndTheTotalsAgree() throws Exception {
    CliRunner.Result r = CliRunner.run("score", "--run", TinyRun.shared().toString(), "--text", "to be or not", "--json");
    assertEquals(0, r.exitCode(), r.toString());
    Map<String, Object> o = Json.parseObject(r.out());
    List<Object> tokens = (List<Object>) o.get("tokens");
    assertEquals(12, tokens.size());
    double nll = 0;
    for (Object t : tokens) {
      Map<String, Object> m = (Map<String, Object>) t;
      double lp = ((Number) m.get("logprob")).doubleValue();
      assertEquals(Math.exp(lp), ((Number) m.get("prob")).doubleValue(), 1e-6);
      assertEquals(-lp / Math.log(2), ((Number) m.get("surprisal_bits")).doubleValue(), 1e-6);
      nll -= lp;
    }
    assertEquals(nll, ((Number) o.get("total_nll")).doubleValue(), 1e-4);
    assertEquals(Math.exp(nll / 12), ((Number) o.get("perplexity")).doubleValue(), 1e-3);
    assertEquals(nll / Math.log(2) / 12, ((Number) o.get("bits_per_byte")).doubleValue(), 1e-5);
    // A trained model finds its own text far likelier than chance (8 bits per byte).
    assertTrue(((Number) o.get("bits_per_byte")).doubleValue() < 4, r.out());
  }

  @Test
  void theTextCanComeFromStdinAndTheTableEndsWithTheTotals() throws Exception {
    CliRunner.Result r = CliRunner.runWithInput("to be", "score", "--run", TinyRun.shared().toString());
    assertEquals(0, r.exitCode(), r.toString());
    List<String> lines = r.out().lines().toList();
    assertEquals(1 + 5 + 2, lines.size(), "header, 5 tokens, the totals wrapped to 80 columns: " + r.out());
    assertTrue(lines.get(6).contains("5 tokens (5 scored, 5 bytes)"), r.out());
    assertTrue(lines.get(7).contains("bits per byte"), r.out());
  }

  /** A Latin-1 file is not UTF-8: its bytes are scored as they are, not as U+FFFD replacements (3 bytes each). */
  @Test
  void aLatin1FileIsScoredByteForByte() throws Exception {
    byte[] latin1 = "to be or not to be, caf\u00e9 na\u00efve \u00e0 la fa\u00e7on. ".repeat(40)
        .getBytes(StandardCharsets.ISO_8859_1);
    CliRunner.Result r = CliRunner.runWithInput(latin1, "score", "--run", TinyRun.shared().toString(), "--json");
    assertEquals(0, r.exitCode(), r.toString());
    Map<String, Object> o = Json.parseObject(r.out());
    assertEquals((long) latin1.length, o.get("scored_bytes"), "every byte of the file, each once");
    assertEquals((long) latin1.length, o.get("token_count"), "a byte-level model: one token per byte");
    double nll = ((Number) o.get("total_nll")).doubleValue();
    assertEquals(nll / Math.log(2) / latin1.length, ((Number) o.get("bits_per_byte")).doubleValue(), 1e-9);
  }

  @Test
  void emptyTextIsAOneLineError() throws Exception {
    CliRunner.Result r = CliRunner.run("score", "--run", TinyRun.shared().toString(), "--text", "");
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("jgpt score: nothing to score: the text is empty", r.err().strip());
  }

  @Test
  void negativeCountsAreUsageErrors() throws Exception {
    CliRunner.Result r = CliRunner.run("score", "--run", TinyRun.shared().toString(), "--text", "x", "--threads", "-1");
    assertEquals(2, r.exitCode(), r.toString());
    assertEquals("jgpt score: --threads must be 0 (automatic) or a positive count, got -1; see 'jgpt score --help'",
        r.err().strip());
    r = CliRunner.run("score", "--run", TinyRun.shared().toString(), "--text", "x", "--top-logprobs", "-2", "--json");
    assertEquals(2, r.exitCode(), r.toString());
    assertEquals("jgpt score: --top-logprobs must be 0 or more, got -2; see 'jgpt score --help'", r.err().strip());
    assertEquals("", r.out());
  }
}
