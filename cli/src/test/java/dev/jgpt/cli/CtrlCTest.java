package dev.jgpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.corpus.CorpusSource;
import dev.jgpt.tokenizer.BpeTrainer;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.run.TrainData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C while a corpus is tokenized or a tokenizer is trained: one line saying what stopped,
 * exit 130, a progress bar ended with a newline, and no partial (.part) file left behind. In
 * process, {@link CtrlC#stopAtCheck} stands in for the signal; one test sends a real one.
 */
class CtrlCTest {
  @TempDir Path tmp;
  private final Supplier<CtrlC> realInstaller = CtrlC.installer;

  @AfterEach
  void restoreInstaller() {
    CtrlC.installer = realInstaller;
  }

  /** Made-up words (no cache makes them fast to encode) in several 256 KiB tokenizing chunks, so a stop lands midway. */
  private Path bigCorpus(int megabytes) throws IOException {
    Path corpus = tmp.resolve("big.txt");
    Random random = new Random(7);
    StringBuilder text = new StringBuilder();
    while (text.length() < megabytes << 20) {
      int letters = 2 + random.nextInt(8);
      for (int i = 0; i < letters; i++) text.append((char) ('a' + random.nextInt(26)));
      text.append(random.nextInt(12) == 0 ? ".\n" : " ");
    }
    Files.writeString(corpus, text);
    return corpus;
  }

  private static List<Path> filesUnder(Path dir) throws IOException {
    if (!Files.exists(dir)) return List.of();
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void ctrlCWhileTokenizingLeavesNoPartialTokenFile() throws IOException {
    Path corpus = bigCorpus(1);
    Path cache = tmp.resolve("cache");
    CtrlC.installer = () -> CtrlC.stopAtCheck(3); // the third chunk: the .part file is open and half written
    CliRunner.Result r = CliRunner.run("train", "--corpus", corpus.toString(), "--preset", "tiny", "--out",
        tmp.resolve("run").toString(), "--cache-dir", cache.toString(), "--threads", "1");
    assertEquals(Errors.INTERRUPTED, r.exitCode(), r.toString());
    assertEquals("jgpt train: interrupted while tokenizing " + corpus + "; the partial token file was removed",
        r.err().strip());
    assertEquals(List.of(), filesUnder(cache), "no token file, whole or partial");
    assertFalse(Files.exists(tmp.resolve("run")), "no run folder");
  }

  @Test
  void ctrlCWhileTrainingATokenizerWritesNothing() throws IOException {
    Path corpus = bigCorpus(1);
    Path out = tmp.resolve("tok.json");
    CtrlC.installer = () -> CtrlC.stopAtCheck(1);
    CliRunner.Result reading = CliRunner.run("tokenizer", "train", "--corpus", corpus.toString(), "--vocab-size", "300",
        "--out", out.toString());
    assertEquals(Errors.INTERRUPTED, reading.exitCode(), reading.toString());
    assertEquals("jgpt tokenizer train: interrupted while reading " + corpus + "; no tokenizer was written",
        reading.err().strip());
    assertEquals(List.of(corpus), filesUnder(tmp));

    CtrlC.installer = () -> CtrlC.stopAtCheck(30); // past the few block reads, among the 44 merges
    CliRunner.Result merging = CliRunner.run("tokenizer", "train", "--corpus", corpus.toString(), "--vocab-size", "300",
        "--out", out.toString());
    assertEquals(Errors.INTERRUPTED, merging.exitCode(), merging.toString());
    assertEquals("jgpt tokenizer train: interrupted while learning merges; no tokenizer was written", merging.err().strip());
    assertEquals(List.of(corpus), filesUnder(tmp));
  }

  @Test
  void ctrlCWhileTrainingTheRunsTokenizerStopsBeforeTokenizing() throws IOException {
    Path corpus = bigCorpus(1);
    Path cache = tmp.resolve("cache");
    CtrlC.installer = () -> CtrlC.stopAtCheck(1);
    CliRunner.Result r = CliRunner.run("train", "--corpus", corpus.toString(), "--preset", "tiny", "--vocab-size", "300",
        "--out", tmp.resolve("run").toString(), "--cache-dir", cache.toString(), "--threads", "1");
    assertEquals(Errors.INTERRUPTED, r.exitCode(), r.toString());
    assertTrue(r.err().strip().startsWith("jgpt train: interrupted while reading " + corpus + " to train the tokenizer"), r.toString());
    assertEquals(List.of(), filesUnder(cache));
  }

  @Test
  void theTokenizingBarEndsItsLineWhenStopped() throws IOException {
    CorpusSource source = CorpusSource.resolve(bigCorpus(1).toString());
    ByteArrayOutputStream shown = new ByteArrayOutputStream();
    PrintStream terminal = new PrintStream(shown, true, StandardCharsets.UTF_8);
    try (CtrlC ctrlC = CtrlC.stopAtCheck(2)) {
      assertThrows(CtrlC.StoppedException.class, () -> TrainData.prepare(source, Tokenizer.bytesOnly(), tmp.resolve("cache"),
          1, new TrainDataConsole(terminal, true).tokenizing("tokenizing " + source.name()), ctrlC));
    }
    String bar = shown.toString(StandardCharsets.UTF_8);
    assertTrue(bar.contains("tokenizing") && bar.endsWith("\n"), "the bar, then a newline: " + bar);
  }

  @Test
  void theTokenizerBarEndsItsLineWhenStopped() throws InterruptedException {
    ByteArrayOutputStream shown = new ByteArrayOutputStream();
    TokenizerProgressBar bar = new TokenizerProgressBar(new PrintStream(shown, true, StandardCharsets.UTF_8), true);
    bar.phase("reading corpus");
    Thread.sleep(600); // the bar appears once a phase has taken half a second
    bar.update(10, 100, "bytes");
    bar.endLine();
    bar.clear();
    String text = shown.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("reading corpus [") && text.endsWith("\n"), "the bar stays, then a newline: " + text);
  }

  /** The real thing: SIGTERM (what Ctrl-C's SIGINT also does: run the shutdown hooks) while the token file is written. */
  @Test
  void aSignalWhileTokenizingLeavesNoPartialTokenFile() throws Exception {
    Path corpus = bigCorpus(24);
    Path tokenizer = tmp.resolve("tok.json");
    BpeTrainer.train(Files.readString(corpus).substring(0, 20_000), 400, "gpt2", List.of(Tokenizer.END_OF_TEXT), 2, null)
        .save(tokenizer);
    Path cache = tmp.resolve("cache");
    Path log = tmp.resolve("log.txt");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "train", "--corpus", corpus.toString(), "--tokenizer", tokenizer.toString(), "--preset", "tiny",
        "--out", tmp.resolve("run").toString(), "--cache-dir", cache.toString(), "--threads", "1")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (filesUnder(cache).stream().noneMatch(f -> f.toString().endsWith(".part"))) {
        assertTrue(p.isAlive(), () -> "exited before tokenizing: " + read(log));
        assertTrue(System.nanoTime() < deadline, "tokenizing did not start in 60 s");
        Thread.sleep(20);
      }
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "did not stop");
    } finally {
      p.destroyForcibly();
    }
    String output = read(log);
    assertTrue(output.contains("jgpt train: interrupted while tokenizing"), output);
    assertEquals(List.of(), filesUnder(cache), output);
  }

  private static String read(Path f) {
    try {
      return Files.exists(f) ? Files.readString(f) : "";
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }
}
