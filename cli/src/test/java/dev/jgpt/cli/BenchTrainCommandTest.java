package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code jgpt bench train} end to end on a shape small enough to train in a blink. */
class BenchTrainCommandTest {
  private static final Pattern TRAINING = Pattern.compile(
      "training: ([0-9.]+) ms/step, ([0-9,]+) tokens/s, [0-9.]+ GFLOP/s = [0-9]+% of FMA peak \\(median of 6 steps after 2 warm-up");
  private static final Pattern ROW = Pattern.compile("^(\\S.*?)\\s{2,}([0-9.]+)\\s+(-?[0-9.]+)\\s+(-?[0-9.]+)%.*$");

  /** A 1-layer model, batch 2 x 16 = 32 tokens per step; extra flags after. */
  private static CliRunner.Result tiny(String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("bench", "train", "--preset", "tiny", "--n-layer", "1",
        "--n-head", "2", "--n-embd", "16", "--block-size", "16", "--batch-size", "2", "--vocab-size", "256",
        "--steps", "6", "--warmup", "2", "--threads", "1", "--backend", "cpu"));
    args.addAll(List.of(extra));
    return CliRunner.run(args.toArray(String[]::new));
  }

  /** op label -> {calls per step, ms per step} of the breakdown table. */
  private static Map<String, double[]> rows(String out) {
    Map<String, double[]> rows = new LinkedHashMap<>();
    boolean inTable = false;
    for (String line : out.lines().toList()) {
      if (line.startsWith("op ")) inTable = true;
      if (line.startsWith("step (mean)")) break; // the per-shape table after it splits these rows
      if (!inTable || line.startsWith("-") || line.startsWith("op ")) continue;
      Matcher m = ROW.matcher(line);
      if (m.matches()) rows.put(m.group(1).strip(), new double[] {Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3))});
    }
    return rows;
  }

  private static double summaryMillis(String out, String label) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(label) + "\\s+(-?[0-9.]+)\\s+-?[0-9.]+%$").matcher(out);
    assertTrue(m.find(), label + " row missing: " + out);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void withoutWarmupFlagTheWarmUpLastsItsDefaultStepsAndTimeAndTheOutputSaysHowManyStepsThatWas() {
    List<String> args = new java.util.ArrayList<>(List.of("bench", "train", "--preset", "tiny", "--n-layer", "1",
        "--n-head", "2", "--n-embd", "16", "--block-size", "16", "--batch-size", "2", "--vocab-size", "256",
        "--steps", "2", "--threads", "1", "--backend", "cpu"));
    long t0 = System.nanoTime();
    CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(0, r.exitCode(), r.toString());
    Matcher m = Pattern.compile("median of 2 steps after ([0-9]+) warm-up").matcher(r.out());
    assertTrue(m.find(), r.out());
    // a step of this model takes well under a second, so the time limit ends the warm-up, not the step count
    assertTrue(Integer.parseInt(m.group(1)) > BenchTrainCommand.DEFAULT_WARMUP_STEPS, r.out());
    assertTrue(seconds >= BenchTrainCommand.DEFAULT_WARMUP_SECONDS, "ran " + seconds + " s");
  }

  @Test
  void printsSpeedMemoryAndATimeForEveryKindOfOpThatAddsUpToTheStep() {
    CliRunner.Result r = tiny();
    assertEquals(0, r.exitCode(), r.toString());
    String out = r.out();
    assertTrue(out.startsWith("model: "), out);
    // a small model with an even batch trains on two data-parallel shards of one sequence each
    assertTrue(out.contains("1 layers x 16 wide, 2 heads, context 16, vocab 257; batch 2 x 16 = 32 tokens/step in 2 data-parallel shards"), out);
    Matcher t = TRAINING.matcher(out);
    assertTrue(t.find(), out);
    double msPerStep = Double.parseDouble(t.group(1));
    double tokensPerSecond = Double.parseDouble(t.group(2).replace(",", ""));
    assertEquals(32 * 1000 / msPerStep, tokensPerSecond, 1 + 0.01 * tokensPerSecond, "tokens/s is 32 tokens over ms/step");
    assertTrue(out.contains("memory: ") && out.contains(" estimated (parameters, gradients and Adam m, v "), out);
    assertTrue(out.contains("peak resident ") && out.contains("(VmHWM, the whole process)"), out);

    Map<String, double[]> rows = rows(out);
    for (String op : List.of("encoder forward", "encoder backward", "layernorm forward", "layernorm backward",
        "matmul forward", "matmul backward", "attention forward", "attention backward", "matmul forward + gelu",
        "matmul backward + gelu",
        "residual forward", "softmax + crossentropy", "gradient norm", "adamw", "zero")) {
      assertTrue(rows.containsKey(op), op + " row missing: " + out);
    }
    assertFalse(rows.containsKey("dropout forward"), "no dropout at p = 0: " + out);
    // per shard and layer: qkv, attention projection, fc (GELU fused in), fc projection (GELU's backward fused in); then the head
    assertEquals(8, rows.get("matmul forward")[0], out);
    assertEquals(8, rows.get("matmul backward")[0], out);
    assertEquals(2, rows.get("matmul forward + gelu")[0], out);
    assertEquals(2, rows.get("matmul backward + gelu")[0], out);
    assertFalse(rows.containsKey("gelu forward") || rows.containsKey("gelu backward"), "GELU runs inside the matmuls: " + out);
    assertEquals(6, rows.get("layernorm forward")[0], "ln1, ln2, ln_f in each shard: " + out);
    assertTrue(Pattern.compile("(?m)^matmul forward \\+ gelu +16 x 16 -> 64 +2 ").matcher(out).find(),
        "the fc matmul's shape row: " + out);
    assertTrue(Pattern.compile("(?m)^matmul backward +16 x 16 -> 320 +2 ").matcher(out).find(),
        "the head's backward row (vocabulary padded to 320): " + out);
    assertEquals(1, rows.get("accumulate")[0], "the second shard's gradients added to the first's: " + out);
    assertEquals(2, rows.get("adamw")[0], "decayed and not decayed: " + out);

    double sumOfRows = rows.values().stream().mapToDouble(v -> v[1]).sum();
    double sumOfOps = summaryMillis(out, "sum of ops");
    double step = summaryMillis(out, "step (mean)");
    assertEquals(sumOfRows, sumOfOps, 0.001 * (rows.size() + 1), "the sum row adds the op rows: " + out);
    assertEquals(step, sumOfOps + summaryMillis(out, "outside the ops (host side)"), 0.002, out);
    assertTrue(sumOfOps <= step * 1.001 && sumOfOps >= 0.5 * step, "the ops make up the step: " + out);
  }

  @Test
  void shapeFlagsReachTheModel() {
    CliRunner.Result r = tiny("--dropout", "0.1", "--grad-accum", "2", "--peak-gflops", "1e9");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("batch 2 x 16 x 2 micro-batches = 64 tokens/step"), r.out());
    Map<String, double[]> rows = rows(r.out());
    assertEquals(16, rows.get("matmul forward")[0], "two micro-batches a step, two shards each: " + r.out());
    assertTrue(rows.containsKey("dropout forward") && rows.containsKey("dropout backward"), r.out());
    assertTrue(r.out().contains("FP32 FMA peak: 1000000000.0 GFLOP/s (--peak-gflops)"), r.out());
    assertTrue(r.out().contains(" = 0% of FMA peak"), "quoted against the given peak: " + r.out());
  }

  @Test
  void helpIsListedUnderBenchAndPrintsCleanly() {
    CliRunner.Result help = CliRunner.run("bench", "train", "--help");
    assertEquals(0, help.exitCode(), help.toString());
    assertTrue(help.out().contains("% of this machine's FP32 FMA peak"), help.out());
    assertFalse(help.err().contains("WARN"), "picocli could not format the description: " + help.err());
    CliRunner.Result bench = CliRunner.run("bench");
    assertTrue(bench.out().lines().anyMatch(l -> l.strip().startsWith("train ")), bench.out());
  }

  @Test
  void badCountsAndNamesAreOneLineErrors() {
    CliRunner.Result r = CliRunner.run("bench", "train", "--steps", "0");
    assertEquals(2, r.exitCode(), r.toString());
    assertEquals(1, r.err().strip().lines().count(), r.toString());
    assertTrue(r.err().contains("--steps must be 1 or more"), r.toString());
    r = CliRunner.run("bench", "train", "--preset", "huge");
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.err().contains("unknown preset 'huge'"), r.toString());
    r = CliRunner.run("bench", "train", "--peak-gflops", "0");
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.err().contains("--peak-gflops must be a positive number, got 0.0"), r.toString());
    r = CliRunner.run("bench", "train", "--n-embd", "100", "--n-head", "3");
    assertEquals(2, r.exitCode(), r.toString());
    assertEquals(1, r.err().strip().lines().count(), r.toString());
  }
}
