package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.transformer.Checkpoint;
import dev.jgpt.transformer.MetricsLog;
import dev.jgpt.transformer.RunDirectory;
import dev.jgpt.transformer.TrainConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end runs of {@code jgpt train} with the tiny preset on a small generated corpus. */
class TrainCommandTest {
  @TempDir Path tmp;
  private Path corpus;
  private Path cache;

  @BeforeEach
  void writeCorpus() throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 300; i++) text.append("line ").append(i).append(": the quick brown fox jumps over the lazy dog.\n");
    corpus = tmp.resolve("corpus.txt");
    Files.writeString(corpus, text);
    cache = tmp.resolve("cache");
  }

  /** jgpt train with the tiny preset for 6 steps; {@code extra} flag/value pairs add or replace flags. */
  private CliRunner.Result train(Path out, String... extra) {
    Map<String, String> flags = new LinkedHashMap<>();
    String[] defaults = {"--corpus", corpus.toString(), "--preset", "tiny", "--out", out.toString(), "--cache-dir",
        cache.toString(), "--threads", "1", "--max-iters", "6", "--eval-interval", "3", "--log-interval", "2"};
    for (int i = 0; i < defaults.length; i += 2) flags.put(defaults[i], defaults[i + 1]);
    for (int i = 0; i < extra.length; i += 2) flags.put(extra[i], extra[i + 1]);
    List<String> args = new ArrayList<>(List.of("train"));
    flags.forEach((k, v) -> {
      args.add(k);
      args.add(v);
    });
    return CliRunner.run(args.toArray(String[]::new));
  }

  private static void assertOneLineError(CliRunner.Result r, int code, String expected) {
    assertEquals(code, r.exitCode(), r.toString());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r);
    assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r);
    assertFalse(r.err().contains("internal error"), r.toString());
  }

  @Test
  void trainsAndLeavesARunFolderThatLoadsAndResumes() throws IOException {
    Path run = tmp.resolve("runs/tiny");
    CliRunner.Result r = train(run);
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("training " + run + " with:"), r.out());
    assertTrue(r.out().contains("n_layer=1") && r.out().contains("max_iters=6"), "effective config printed: " + r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("backend: ")), "which backend and why: " + r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("model: ") && l.endsWith("; the batch in 2 data-parallel shards)")),
        "a small model with an even batch says it trains on shards: " + r.out());
    assertTrue(r.out().contains("step 2/6"), "plain log lines when not on a terminal: " + r.out());
    assertTrue(r.out().contains("val loss"), r.out());
    assertTrue(r.out().contains("--- sample at step 3 ---"), r.out());
    for (String f : List.of(Checkpoint.CONFIG, Checkpoint.TOKENIZER, Checkpoint.MODEL, Checkpoint.OPTIMIZER,
        Checkpoint.STATE, Checkpoint.METRICS)) {
      assertTrue(Files.exists(run.resolve(f)), f + " in " + run);
    }
    RunDirectory.Run loaded = RunDirectory.load(run);
    assertEquals(6, loaded.state().step());
    assertEquals(257, loaded.model().vocabSize(), "--vocab-size 256: bytes plus end-of-text");
    assertEquals(List.of(2L, 3L, 4L, 6L), MetricsLog.read(run.resolve(Checkpoint.METRICS)).stream()
        .map(m -> m.get("step")).toList());

    CliRunner.Result resumed = CliRunner.run("train", "--resume", run.toString(), "--max-iters", "9",
        "--cache-dir", cache.toString(), "--threads", "1");
    assertEquals(0, resumed.exitCode(), resumed.toString());
    assertTrue(resumed.out().contains("resuming " + run), resumed.out());
    assertTrue(resumed.out().contains("resuming at step 6"), resumed.out());
    assertEquals(9, RunDirectory.load(run).state().step());
    List<Map<String, Object>> metrics = MetricsLog.read(run.resolve(Checkpoint.METRICS));
    assertEquals(9L, metrics.getLast().get("step"));
  }

  /**
   * Runs saved when backend and threads were training settings hold them in config.json and
   * state.json: such a run still loads and resumes, and they are not written back (where a run
   * computes is chosen with --backend/--device/--threads each time).
   */
  @Test
  void aRunSavedWithBackendAndThreadsSettingsStillResumes() throws IOException {
    Path run = tmp.resolve("old");
    assertEquals(0, train(run).exitCode());
    assertFalse(Files.readString(run.resolve(Checkpoint.CONFIG)).contains("\"threads\""), "not saved any more");
    for (String f : List.of(Checkpoint.CONFIG, Checkpoint.STATE)) { // as an older jgpt wrote them
      String text = Files.readString(run.resolve(f));
      Files.writeString(run.resolve(f), text.replace("\"init_from\"", "\"threads\": 1, \"backend\": \"cpu\", \"init_from\""));
      assertTrue(Files.readString(run.resolve(f)).contains("\"backend\": \"cpu\""), f + ": " + text);
    }
    assertEquals(6, RunDirectory.load(run).state().step(), "loads");

    CliRunner.Result resumed = CliRunner.run("train", "--resume", run.toString(), "--max-iters", "9",
        "--cache-dir", cache.toString(), "--backend", "reference");
    assertEquals(0, resumed.exitCode(), resumed.toString());
    assertTrue(resumed.out().contains("backend: reference (chosen with --backend)"), resumed.out());
    assertEquals(9, RunDirectory.load(run).state().step());
    assertFalse(Files.readString(run.resolve(Checkpoint.STATE)).contains("\"backend\""), "the next checkpoint drops them");
  }

  /**
   * The CPU backend on 2 threads, dropout on: 12 steps in one run equal 6 steps, then a
   * resume to 12, bit for bit. The learning-rate schedule is pinned with --lr-decay-iters, as
   * its default (the starting max_iters) would otherwise be 6 for the split run and 12 for the whole one.
   */
  @Test
  void resumedRunRepeatsTheLossesOfAnUninterruptedOne() throws IOException {
    String[] same = {"--backend", "cpu", "--threads", "2", "--dropout", "0.1", "--lr-decay-iters", "12",
        "--log-interval", "1", "--eval-interval", "4", "--seed", "3"};
    Path whole = tmp.resolve("whole");
    CliRunner.Result r = train(whole, concat(same, "--max-iters", "12"));
    assertEquals(0, r.exitCode(), r.toString());

    Path split = tmp.resolve("split");
    r = train(split, concat(same, "--max-iters", "6"));
    assertEquals(0, r.exitCode(), r.toString());
    r = CliRunner.run("train", "--resume", split.toString(), "--max-iters", "12", "--threads", "2", "--cache-dir",
        cache.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("resuming at step 6"), r.out());

    List<Map<String, Object>> a = MetricsLog.read(whole.resolve(Checkpoint.METRICS));
    List<Map<String, Object>> b = MetricsLog.read(split.resolve(Checkpoint.METRICS));
    assertEquals(12, a.size());
    assertEquals(a.stream().map(m -> List.of(m.get("step"), m.get("train_loss"))).toList(),
        b.stream().map(m -> List.of(m.get("step"), m.get("train_loss"))).toList(), "train loss of every step");
    // the split run also evaluated at step 6, where it stopped; the shared evaluations agree
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i).get("val_loss") != null) assertEquals(a.get(i).get("val_loss"), b.get(i).get("val_loss"), "step " + (i + 1));
    }
    assertEquals(5.0, (double) a.getLast().get("val_loss"), 1.0, "a real loss was compared: " + a.getLast());
  }

  /**
   * lr_decay_iters 0 (= max_iters) is resolved when the run starts and saved, so extending the
   * run with a larger --max-iters continues its schedule: past the original 6 steps the learning
   * rate stays at min_lr instead of rising again. An explicit --lr-decay-iters on resume wins.
   */
  @Test
  void resumeWithMoreStepsKeepsTheOriginalDecayLength() throws IOException {
    Path run = tmp.resolve("extended");
    CliRunner.Result r = train(run, "--warmup-iters", "2", "--learning-rate", "0.001", "--min-lr", "0.0001",
        "--log-interval", "1");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(Files.readString(run.resolve(Checkpoint.CONFIG)).contains("\"lr_decay_iters\": 6"),
        Files.readString(run.resolve(Checkpoint.CONFIG)));
    assertEquals(6, RunDirectory.load(run).state().config().intValue(TrainConfigKey.LR_DECAY_ITERS));

    r = CliRunner.run("train", "--resume", run.toString(), "--max-iters", "9", "--log-interval", "1",
        "--cache-dir", cache.toString(), "--threads", "1");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("max_iters 6 -> 9: the learning rate decays to min_lr at step 6 as the run started with"),
        r.out());
    List<Map<String, Object>> metrics = MetricsLog.read(run.resolve(Checkpoint.METRICS));
    assertEquals(List.of(7L, 8L, 9L), metrics.subList(6, 9).stream().map(m -> m.get("step")).toList());
    for (Map<String, Object> m : metrics.subList(6, 9)) assertEquals(1e-4, (double) m.get("lr"), 1e-12, m.toString());

    r = CliRunner.run("train", "--resume", run.toString(), "--max-iters", "12", "--lr-decay-iters", "12",
        "--log-interval", "1", "--cache-dir", cache.toString(), "--threads", "1");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("max_iters 9 -> 12: the learning rate decays to min_lr at step 12 (--lr-decay-iters)"),
        r.out());
    assertTrue((double) MetricsLog.read(run.resolve(Checkpoint.METRICS)).get(9).get("lr") > 1e-4);
  }

  @Test
  void anUnknownBackendIsAUsageErrorNamingTheAcceptedOnes() {
    CliRunner.Result r = CliRunner.run("train", "--backend", "bogus");
    assertEquals(2, r.exitCode(), r.toString());
    assertEquals("jgpt train: --backend bogus is not a backend; use one of auto, cpu, reference, tornado;"
        + " see 'jgpt train --help'",
        r.err().strip());
  }

  @Test
  void configFileIsReadAndFlagsOverrideIt() throws IOException {
    Path config = tmp.resolve("my.json");
    Files.writeString(config, "{\"n_embd\": 32, \"n_head\": 4, \"max_iters\": 100, \"sample_tokens\": 0}");
    Path run = tmp.resolve("run");
    CliRunner.Result r = train(run, "--config", config.toString(), "--max-iters", "2", "--eval-interval", "2");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("n_embd=32") && r.out().contains("max_iters=2"), r.out());
    assertEquals(2, RunDirectory.load(run).state().step());
    assertEquals(32, RunDirectory.load(run).model().nEmbd());
  }

  /** An old run's config.json, with backend and threads, still works as --config: one note on stderr, nothing saved. */
  @Test
  void backendAndThreadsInAConfigFileGetANote() throws IOException {
    Path config = tmp.resolve("old-config.json");
    Files.writeString(config, "{\"n_embd\": 32, \"n_head\": 4, \"backend\": \"reference\", \"threads\": 1}");
    Path run = tmp.resolve("run");
    CliRunner.Result r = train(run, "--config", config.toString(), "--max-iters", "2", "--eval-interval", "2");
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("config " + config + ": backend and threads are not training settings; use --backend/--threads",
        r.err().strip());
    assertFalse(r.out().contains("backend: reference"), "the file does not choose the backend: " + r.out());
    assertEquals(32, RunDirectory.load(run).model().nEmbd(), "the file's training settings are taken");
    assertFalse(Files.readString(run.resolve(Checkpoint.CONFIG)).contains("\"backend\""), "not saved");
  }

  /** --include and --exclude mean the same in train and tokenizer train: one help text, TrainConfigKey's. */
  @Test
  void theGlobFlagsHaveOneHelpInBothCommands() {
    String train = CliRunner.run("train", "--help").out().replaceAll("\\s+", " ");
    String tokenizer = CliRunner.run("tokenizer", "train", "--help").out().replaceAll("\\s+", " ");
    for (String help : List.of(TrainConfigKey.INCLUDE_HELP, TrainConfigKey.EXCLUDE_HELP)) {
      assertTrue(train.contains(help), "train --help: " + train);
      assertTrue(tokenizer.contains(help), "tokenizer train --help: " + tokenizer);
    }
  }

  @Test
  void foldsTrainOneRunPerFoldAndReportMeanAndSpread() throws IOException {
    Path run = tmp.resolve("cv");
    CliRunner.Result r = train(run, "--folds", "2", "--max-iters", "2", "--eval-interval", "2", "--sample-tokens", "0");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains("2-fold cross-validation: val loss "), r.out());
    assertEquals(2, RunDirectory.load(run.resolve("fold-0")).state().step());
    assertEquals(2, RunDirectory.load(run.resolve("fold-1")).state().step());
    assertTrue(Files.readString(run.resolve("folds.json")).contains("\"val_loss_std\""));
  }

  @Test
  void unknownConfigKeysAreRejectedWithTheValidOnes() throws IOException {
    Path config = tmp.resolve("bad.json");
    Files.writeString(config, "{\"n_layers\": 2}");
    CliRunner.Result r = train(tmp.resolve("run"), "--config", config.toString());
    assertOneLineError(r, 1, "unknown key \"n_layers\"; valid keys are corpus, include, exclude, tokenizer, vocab_size");
    assertFalse(Files.exists(tmp.resolve("run")), "nothing written");
  }

  @Test
  void badInputsAreOneLineErrors() throws IOException {
    Path run = tmp.resolve("run");
    assertOneLineError(CliRunner.run("train", "--corpus", tmp.resolve("missing.txt").toString(), "--preset", "tiny",
        "--out", run.toString(), "--cache-dir", cache.toString()), 1, "missing.txt");
    Path empty = tmp.resolve("empty.txt");
    Files.writeString(empty, "");
    assertOneLineError(CliRunner.run("train", "--corpus", empty.toString(), "--preset", "tiny", "--out", run.toString(),
        "--cache-dir", cache.toString()), 1, "empty");
    Path shortText = tmp.resolve("short.txt");
    Files.writeString(shortText, "too short"); // 9 tokens, the tiny context is 16
    assertOneLineError(CliRunner.run("train", "--corpus", shortText.toString(), "--preset", "tiny", "--out",
        run.toString(), "--cache-dir", cache.toString()), 1, "--block-size");
    assertOneLineError(train(run, "--n-embd", "30", "--n-head", "4"), 2, "n_embd (30) must be divisible by n_head (4)");
    assertOneLineError(train(run, "--preset", "huge"), 2, "unknown preset 'huge'; use one of tiny, default");
    assertOneLineError(train(run, "--max-iters", "ten"), 2, "--max-iters");
    assertOneLineError(train(run, "--lr-schedule", "step"), 2, "use one of cosine, linear, constant");
    assertFalse(Files.exists(run.resolve(Checkpoint.STATE)), "no run was created");
  }

  @Test
  void anExistingRunIsNeverOverwritten() throws IOException {
    Path run = tmp.resolve("run");
    assertEquals(0, train(run).exitCode());
    byte[] model = Files.readAllBytes(run.resolve(Checkpoint.MODEL));
    assertOneLineError(train(run), 1, "already holds a run; continue it with --resume");
    assertEquals(Arrays.toString(model), Arrays.toString(Files.readAllBytes(run.resolve(Checkpoint.MODEL))));
  }

  @Test
  void resumeRejectsDamagedOrMismatchedCheckpoints() throws IOException {
    Path run = tmp.resolve("run");
    assertEquals(0, train(run).exitCode());
    String[] resume = {"train", "--resume", run.toString(), "--cache-dir", cache.toString(), "--max-iters", "8"};

    assertOneLineError(CliRunner.run(concat(resume, "--n-layer", "2")), 1, "other model shapes (n_layer 1 -> 2)");
    assertOneLineError(CliRunner.run("train", "--resume", tmp.resolve("nothing").toString()), 1, "no checkpoint");

    Path tokenizer = run.resolve(Checkpoint.TOKENIZER);
    String original = Files.readString(tokenizer);
    Files.writeString(tokenizer, original.replace("\"pattern\": \"gpt2\"", "\"pattern\": \"cl100k\""));
    assertOneLineError(CliRunner.run(resume), 1, "is not the tokenizer this model was trained with");
    Files.writeString(tokenizer, original);

    Path model = run.resolve(Checkpoint.MODEL);
    byte[] bytes = Files.readAllBytes(model);
    Files.write(model, Arrays.copyOf(bytes, bytes.length - 100));
    assertOneLineError(CliRunner.run(resume), 1, "model.safetensors is damaged");
    assertEquals(bytes.length - 100, Files.size(model), "the damaged checkpoint is left as it was");
  }

  private static String[] concat(String[] a, String... b) {
    String[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
