package dev.jgpt.transformer.run;

import static dev.jgpt.transformer.TrainConfigKey.CORPUS;
import static dev.jgpt.transformer.TrainConfigKey.TOKENIZER;
import static dev.jgpt.transformer.TrainConfigKey.VOCAB_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.corpus.CorpusOptions;
import dev.jgpt.corpus.CorpusSource;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.CheckpointState;
import dev.jgpt.transformer.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data pipeline of a training run: corpus, tokenizer, token file, in that order, reporting
 * to an output and stopped by a stop signal, with no terminal or Ctrl-C in sight.
 */
class TrainPipelineTest {
  @TempDir Path tmp;

  /** What the pipeline reported: its lines, and what the token file's progress saw. */
  private static final class Recorded implements TrainPipeline.Output, TrainPipeline.Output.Progress {
    final List<String> lines = new ArrayList<>();
    String tokenizing;
    long lastDone = -1;
    int ends;

    @Override
    public void line(String line) {
      lines.add(line);
    }

    @Override
    public Progress tokenizing(String what) {
      tokenizing = what;
      return this;
    }

    @Override
    public void update(long doneBytes, long totalBytes) {
      lastDone = doneBytes;
    }

    @Override
    public void end() {
      ends++;
    }
  }

  /** A stop signal that goes up at its {@code n}-th poll, and the exception it ends the work with. */
  private static final class StopAt implements StopSignal {
    static final class Stopped extends RuntimeException {
      Stopped(String what) {
        super("interrupted while " + what);
      }
    }

    private final int n;
    private int polls;

    StopAt(int n) {
      this.n = n;
    }

    @Override
    public boolean stopRequested() {
      return ++polls >= n;
    }

    @Override
    public RuntimeException stopped(String what) {
      return new Stopped(what);
    }
  }

  private static final StopSignal NEVER = new StopAt(Integer.MAX_VALUE);

  private Path corpus(int bytes) throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; text.length() < bytes; i++) text.append("the cat sat on mat number ").append(i % 97).append(".\n");
    Path file = tmp.resolve("corpus.txt");
    Files.writeString(file, text);
    return file;
  }

  private TrainPipeline pipeline(Path corpus, int vocabSize, Recorded out) throws IOException {
    TrainSetup setup = TrainSetup.fresh(new TrainRequest("tiny", Map.of(),
        Map.of(CORPUS, corpus.toString(), VOCAB_SIZE, vocabSize)));
    return new TrainPipeline(setup, tmp.resolve("cache"), 1, out);
  }

  private List<Path> cached() throws IOException {
    if (!Files.exists(tmp.resolve("cache"))) return List.of();
    try (Stream<Path> files = Files.walk(tmp.resolve("cache"))) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void aFreshRunTrainsItsTokenizerOnTheCorpusThenTokenizesItOnceAndReusesTheFile() throws IOException {
    Recorded out = new Recorded();
    TrainPipeline p = pipeline(corpus(20_000), 300, out);
    CorpusSource source = p.corpus(CorpusOptions.defaults());
    Tokenizer tok = p.tokenizer(source, tmp.resolve("run"), null, NEVER);
    assertEquals(300, tok.vocabSize());
    assertEquals("training a BPE tokenizer with 300 tokens on " + source.name() + "...", out.lines.get(0));
    assertTrue(out.lines.get(1).startsWith("tokenizer: ") && out.lines.get(1).contains("merges learned on"), out.lines.toString());

    try (TrainData data = p.tokens(source, tok, NEVER)) {
      assertEquals("tokenizing " + source.name(), out.tokenizing);
      assertEquals(1, out.ends, "the progress is ended once");
      assertEquals(20_000, out.lastDone, "every byte reported, last update at the end");
      assertEquals(data.tokens().size(), data.split().train().size() + data.split().val().size());
      assertFalse(data.describe().endsWith("(cached)"), data.describe());
    }
    try (TrainData again = p.tokens(source, tok, NEVER)) {
      assertTrue(again.describe().endsWith("(cached)"), again.describe());
    }
  }

  @Test
  void vocabSize256IsBytesOnlyWithNothingToTrain() throws IOException {
    Recorded out = new Recorded();
    TrainPipeline p = pipeline(corpus(1_000), 256, out);
    Tokenizer tok = p.tokenizer(p.corpus(CorpusOptions.defaults()), tmp.resolve("run"), null, NEVER);
    assertEquals(Tokenizer.bytesOnly().hash(), tok.hash());
    assertEquals(List.of(), out.lines);
  }

  @Test
  void aTokenizerFileWinsOverAVocabSizeFlagWithANote() throws IOException {
    Path file = tmp.resolve("tok.json");
    Tokenizer.bytesOnly().save(file);
    int n = Tokenizer.load(file).vocabSize();
    Path corpus = corpus(1_000);
    Recorded flag = new Recorded();
    TrainSetup flagged = TrainSetup.fresh(new TrainRequest("tiny", Map.of(),
        Map.of(CORPUS, corpus.toString(), TOKENIZER, file.toString(), VOCAB_SIZE, 300)));
    TrainPipeline p = new TrainPipeline(flagged, tmp.resolve("cache"), 1, flag);
    assertEquals(n, p.tokenizer(p.corpus(CorpusOptions.defaults()), tmp.resolve("run"), null, NEVER).vocabSize());
    assertEquals(List.of("note: --vocab-size is ignored: " + file + " has " + n + " tokens"), flag.lines);

    Recorded fromFile = new Recorded(); // vocab_size in a --config file (or a preset) is no flag: no note
    TrainSetup filed = TrainSetup.fresh(new TrainRequest("tiny", Map.of(VOCAB_SIZE, 300),
        Map.of(CORPUS, corpus.toString(), TOKENIZER, file.toString())));
    TrainPipeline q = new TrainPipeline(filed, tmp.resolve("cache"), 1, fromFile);
    assertEquals(n, q.tokenizer(q.corpus(CorpusOptions.defaults()), tmp.resolve("run"), null, NEVER).vocabSize());
    assertEquals(List.of(), fromFile.lines);
  }

  @Test
  void aStopWhileTrainingTheTokenizerEndsWithTheSignalsException() throws IOException {
    Recorded out = new Recorded();
    TrainPipeline p = pipeline(corpus(20_000), 300, out);
    CorpusSource source = p.corpus(CorpusOptions.defaults());
    var e = assertThrows(StopAt.Stopped.class, () -> p.tokenizer(source, tmp.resolve("run"), null, new StopAt(1)));
    assertEquals("interrupted while reading " + source.name() + " to train the tokenizer", e.getMessage());
    var merging = assertThrows(StopAt.Stopped.class, () -> p.tokenizer(source, tmp.resolve("run"), null, new StopAt(5)));
    assertEquals("interrupted while training the tokenizer", merging.getMessage());
  }

  @Test
  void aStopWhileTokenizingLeavesNoTokenFileAndEndsTheProgress() throws IOException {
    Recorded out = new Recorded();
    TrainPipeline p = pipeline(corpus(3 << 20), 256, out); // several tokenizing chunks, so the stop lands midway
    CorpusSource source = p.corpus(CorpusOptions.defaults());
    var e = assertThrows(StopAt.Stopped.class, () -> p.tokens(source, Tokenizer.bytesOnly(), new StopAt(2)));
    assertEquals("interrupted while tokenizing " + source.name() + "; the partial token file was removed", e.getMessage());
    assertEquals(1, out.ends, "the progress is ended when stopped too");
    assertEquals(List.of(), cached(), "no token file, whole or partial");
  }

  @Test
  void aCorpusWithNoTextIsABadSettingAndTheProgressIsStillEnded() throws IOException {
    Path folder = Files.createDirectories(tmp.resolve("binary-only"));
    byte[] binary = new byte[4096]; // NUL bytes: skipped as binary, leaving no text
    Files.write(folder.resolve("data.bin"), binary);
    Recorded out = new Recorded();
    TrainPipeline p = pipeline(folder, 256, out);
    CorpusSource source = p.corpus(CorpusOptions.defaults());
    var e = assertThrows(IllegalArgumentException.class, () -> p.tokens(source, Tokenizer.bytesOnly(), NEVER));
    assertTrue(e.getMessage().startsWith("corpus " + source.name() + " has no text"), e.getMessage());
    assertEquals(1, out.ends, "a failed build ends the progress too");
  }

  @Test
  void aResumedRunUsesItsOwnTokenizerAndTrainsNone() throws IOException {
    Recorded out = new Recorded();
    TrainPipeline p = pipeline(corpus(1_000), 300, out); // vocab 300 would train one on a fresh run
    Path run = tmp.resolve("run");
    Tokenizer own = Tokenizer.bytesOnly();
    Files.createDirectories(run);
    RunDirectory.writeTokenizer(run, own);
    CheckpointState state = new CheckpointState(6, 0, 0, 0, 0, 0, 0, 0, 0, 0, own.hash(), p.setup().config(), Map.of());
    Tokenizer tok = p.tokenizer(p.corpus(CorpusOptions.defaults()), run, state, NEVER);
    assertEquals(own.hash(), tok.hash());
    assertEquals(List.of(), out.lines, "nothing trained");
    CheckpointState other = new CheckpointState(6, 0, 0, 0, 0, 0, 0, 0, 0, 0, "0123", p.setup().config(), Map.of());
    assertThrows(IOException.class, () -> p.tokenizer(p.corpus(CorpusOptions.defaults()), run, other, NEVER),
        "a tokenizer.json that is not the checkpoint's");
  }
}
