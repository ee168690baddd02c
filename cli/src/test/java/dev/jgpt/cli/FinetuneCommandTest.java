package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.transformer.TinyRun;
import dev.jgpt.common.Json;
import dev.jgpt.transformer.Checkpoint;
import dev.jgpt.transformer.MetricsLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jgpt train --init-from}: fine-tuning a trained model (a jgpt run, or the same model as a Hugging Face folder). */
class FinetuneCommandTest {
  @TempDir Path tmp;

  private CliRunner.Result finetune(Path from, Path out, String... extra) throws Exception {
    Path corpus = tmp.resolve("corpus.txt");
    if (!Files.exists(corpus)) Files.writeString(corpus, "to be or not to be, that is the answer. ".repeat(300));
    List<String> args = new java.util.ArrayList<>(List.of("train", "--init-from", from.toString(), "--corpus",
        corpus.toString(), "--out", out.toString(), "--max-iters", "12", "--batch-size", "4", "--learning-rate", "3e-3",
        "--lr-schedule", "constant", "--warmup-iters", "0", "--eval-interval", "12", "--eval-iters", "2",
        "--log-interval", "1", "--sample-tokens", "0", "--threads", "1", "--cache-dir", tmp.resolve("cache").toString()));
    args.addAll(List.of(extra));
    return CliRunner.run(args.toArray(String[]::new));
  }

  @Test
  void aHuggingFaceFolderIsFineTunedFromItsWeightsAndTheRunOpensAndResumes() throws Exception {
    Path hf = tmp.resolve("hf");
    assertEquals(0, CliRunner.run("export", "--run", TinyRun.shared().toString(), "--format", "hf", "--out", hf.toString())
        .exitCode());
    Path run = tmp.resolve("runs/ft");
    CliRunner.Result r = finetune(hf, run, "--block-size", "16");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("starting from " + hf) && r.out().contains("context 32 -> 16"), r.out());

    List<Map<String, Object>> metrics = MetricsLog.read(run.resolve(Checkpoint.METRICS));
    double first = ((Number) metrics.get(0).get("train_loss")).doubleValue();
    double last = ((Number) metrics.get(metrics.size() - 1).get("train_loss")).doubleValue();
    // a random byte-level model starts at ln(257) = 5.55; the loaded one already knows "to be or not to be"
    assertTrue(first < 4.0, "starts from the trained weights: first loss " + first);
    assertTrue(last < first, "the loss falls on the new text: " + first + " -> " + last);

    Map<String, Object> config = Json.parseObject(Files.readString(run.resolve(Checkpoint.CONFIG)));
    assertEquals(hf.toString(), config.get("init_from"));
    assertEquals(16L, config.get("block_size"));
    assertEquals(32L, config.get("n_embd"), "the shape is the model's");
    assertEquals(true, config.get("bias"), "GPT-2 folders have biases");

    CliRunner.Result gen = CliRunner.run("generate", "--run", run.toString(), "--prompt", "to be", "--max-new-tokens", "5",
        "--threads", "1");
    assertEquals(0, gen.exitCode(), gen.toString());
    CliRunner.Result repl = CliRunner.runWithInput(":next to be or not to b\n", "repl", "--run", run.toString(),
        "--threads", "1");
    assertEquals(0, repl.exitCode(), "the fine-tuned run opens in the REPL: " + repl);
    assertTrue(repl.out().contains("entropy"), "the next-token distribution is shown: " + repl.out());
    CliRunner.Result resumed = CliRunner.run("train", "--resume", run.toString(), "--max-iters", "14", "--threads", "1",
        "--cache-dir", tmp.resolve("cache").toString());
    assertEquals(0, resumed.exitCode(), resumed.toString());
  }

  @Test
  void aJgptRunIsFineTunedToo() throws Exception {
    CliRunner.Result r = finetune(TinyRun.shared(), tmp.resolve("runs/ft2"));
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("context 32;"), "a preset's longer context is cut to the model's: " + r.out());
  }

  @Test
  void settingsThatContradictTheModelAreUsageErrors() throws Exception {
    CliRunner.Result shape = finetune(TinyRun.shared(), tmp.resolve("runs/a"), "--n-layer", "3");
    assertEquals(2, shape.exitCode(), shape.toString());
    assertTrue(shape.err().contains("--n-layer cannot be set with --init-from"), shape.toString());
    assertEquals(1, shape.err().strip().lines().count(), shape.toString());

    CliRunner.Result longer = finetune(TinyRun.shared(), tmp.resolve("runs/b"), "--block-size", "64");
    assertEquals(2, longer.exitCode(), longer.toString());
    assertTrue(longer.err().contains("longer than the context of the model to start from (32)"), longer.toString());

    CliRunner.Result preset = CliRunner.run("train", "--preset", "finetune", "--out", tmp.resolve("runs/c").toString());
    assertEquals(2, preset.exitCode(), preset.toString());
    assertTrue(preset.err().contains("add --init-from DIR"), preset.toString());
    assertTrue(!Files.exists(tmp.resolve("runs/a")) && !Files.exists(tmp.resolve("runs/c")), "nothing written");
  }
}
