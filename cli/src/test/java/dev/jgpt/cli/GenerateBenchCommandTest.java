package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.transformer.TinyRun;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code jgpt bench generate} on shapes small enough to measure in a blink. */
class GenerateBenchCommandTest {
  private static final Pattern RATE = Pattern.compile("generation: +([0-9,]+) tokens/s \\(([0-9.]+) ms/token; median of 2 runs of 30 tokens after a ([0-9]+)-token prompt, prefill excluded");

  @Test
  void reportsTokensPerSecondAndTimeToFirstTokenOfAShape() {
    CliRunner.Result r = CliRunner.run("bench", "generate", "--n-layer", "1", "--n-head", "2", "--n-embd", "16",
        "--block-size", "16", "--tokens", "30", "--repeat", "2", "--threads", "1", "--backend", "cpu");
    assertEquals(0, r.exitCode(), r.toString());
    List<String> lines = r.out().lines().toList();
    assertEquals(3, lines.size(), r.out());
    assertTrue(lines.get(0).startsWith("model: 1 layers x 16 (2 heads), context 16, vocabulary 65"), r.out());
    Matcher m = RATE.matcher(lines.get(1));
    assertTrue(m.find(), r.out());
    double rate = Double.parseDouble(m.group(1).replace(",", ""));
    double msPerToken = Double.parseDouble(m.group(2));
    assertTrue(rate > 0, r.out());
    assertEquals(1000 / rate, msPerToken, 0.0015 + 1000 / rate * 0.01, "ms/token is the inverse of the rate: " + r.out());
    assertEquals("8", m.group(3), "half the context by default: " + r.out());
    assertTrue(lines.get(2).matches("first token: [0-9.]+ ms after a 8-token prompt \\(median\\)"), r.out());
  }

  @Test
  void thePromptLengthCanBeChosenWithinTheContext() {
    CliRunner.Result r = CliRunner.run("bench", "generate", "--n-layer", "1", "--n-head", "2", "--n-embd", "16",
        "--block-size", "16", "--tokens", "10", "--repeat", "1", "--threads", "1", "--prompt-tokens", "1");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("after a 1-token prompt"), r.out());
    CliRunner.Result bad = CliRunner.run("bench", "generate", "--block-size", "16", "--prompt-tokens", "16");
    assertEquals(2, bad.exitCode(), bad.toString());
    assertTrue(bad.err().contains("--prompt-tokens must be between 1 and 15"), bad.toString());
  }

  @Test
  void profileSplitsADecodedTokenByOp() {
    CliRunner.Result r = CliRunner.run("bench", "generate", "--n-layer", "1", "--n-head", "2", "--n-embd", "16",
        "--block-size", "16", "--tokens", "12", "--repeat", "1", "--threads", "1", "--backend", "cpu", "--prompt-tokens",
        "1", "--profile");
    assertEquals(0, r.exitCode(), r.toString());
    String out = r.out();
    assertTrue(out.contains("time per kind of op in one decoded token (a step is one token; the last run's 11 tokens "
        + "after its first, with the prefills of any window slides):"), out);
    // per token: qkv, attention projection, MLP projection and the head; the MLP's first matmul with its GELU
    assertTrue(Pattern.compile("(?m)^matmul forward +4 ").matcher(out).find(), out);
    assertTrue(Pattern.compile("(?m)^matmul forward \\+ gelu +1 ").matcher(out).find(), out);
    assertTrue(Pattern.compile("(?m)^decode ops \\(encoder, attention\\) +2 ").matcher(out).find(), out);
    assertTrue(Pattern.compile("(?m)^matmul forward +1 x 16 -> 128 +1 ").matcher(out).find(), "the padded head: " + out);
    // 16 x (48 + 16 + 64) + 64 x 16 + 128 x 16 floats (qkv, projection, fc, MLP projection, head) of 4 bytes
    Matcher m = Pattern.compile("matmul weights: 20\\.5 KB a token \\(f32\\), read at ([0-9.]+) GB/s").matcher(out);
    assertTrue(m.find(), out);
    assertTrue(Double.parseDouble(m.group(1)) > 0, out);
  }

  @Test
  void aBf16KvCacheIsMeasuredAndSaidSoOrRefusedInOneLine() {
    CliRunner.Result r = CliRunner.run("bench", "generate", "--n-layer", "1", "--n-head", "2", "--n-embd", "16",
        "--block-size", "16", "--tokens", "10", "--repeat", "1", "--threads", "1", "--backend", "cpu", "--kv-cache", "bf16");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("model: 1 layers x 16 (2 heads), context 16, vocabulary 65, 0.01M parameters, cpu, "
        + "bf16 KV cache"), r.out());
    CliRunner.Result refused = CliRunner.run("bench", "generate", "--n-layer", "1", "--n-head", "2", "--n-embd", "16",
        "--block-size", "16", "--tokens", "10", "--repeat", "1", "--backend", "reference", "--kv-cache", "bf16");
    assertEquals(1, refused.exitCode(), refused.toString());
    assertEquals("jgpt bench generate: the reference backend cannot keep a 16-bit KV cache: use --kv-cache f32, or "
        + "--backend cpu for --kv-cache bf16", refused.err().strip(), refused.toString());
    CliRunner.Result bad = CliRunner.run("bench", "generate", "--kv-cache", "fp8");
    assertEquals(2, bad.exitCode(), bad.toString());
    assertTrue(bad.err().contains("--kv-cache must be f32 or bf16, got 'fp8'"), bad.toString());
  }

  @Test
  void aTrainedRunCanBeMeasured() throws Exception {
    CliRunner.Result r = CliRunner.run("bench", "generate", "--run", TinyRun.shared().toString(), "--tokens", "30",
        "--repeat", "2", "--threads", "1");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("model: 2 layers x 32 (2 heads), context 32, vocabulary 257"), r.out());
  }

  @Test
  void bf16WeightsAreMeasuredAndSaidSo() {
    CliRunner.Result r = CliRunner.run("bench", "generate", "--n-layer", "1", "--n-head", "2", "--n-embd", "16",
        "--block-size", "16", "--tokens", "10", "--repeat", "1", "--threads", "1", "--backend", "cpu", "--weights", "bf16");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("model: 1 layers x 16 (2 heads), context 16, vocabulary 65, 0.01M parameters, cpu, "
        + "bf16 weights for decoding"), r.out());
  }

  @Test
  void badCountsAndShapesAreOneLineErrors() {
    CliRunner.Result r = CliRunner.run("bench", "generate", "--tokens", "0");
    assertEquals(2, r.exitCode(), r.toString());
    assertEquals("jgpt bench generate: --tokens and --repeat must be positive, got 0 and 5;"
        + " see 'jgpt bench generate --help'", r.err().strip());
    r = CliRunner.run("bench", "generate", "--vocab-size", "1000");
    assertEquals(2, r.exitCode(), r.toString());
    assertEquals(1, r.err().strip().lines().count(), r.toString());
    assertTrue(r.err().contains("needs a trained run (--run DIR)"), r.toString());
  }
}
