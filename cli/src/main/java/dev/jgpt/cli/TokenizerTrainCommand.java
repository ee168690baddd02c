package dev.jgpt.cli;

import dev.jgpt.corpus.CorpusSource;
import dev.jgpt.corpus.DocumentInfo;
import dev.jgpt.tokenizer.BpeTrainer;
import dev.jgpt.tokenizer.ChunkCounts;
import dev.jgpt.tokenizer.Tokenizer;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jgpt tokenizer train}: learn BPE merges on a corpus and write a tokenizer file. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Learn a byte-level BPE tokenizer on a corpus and write it as a jgpt tokenizer file.",
      "Example: jgpt tokenizer train --corpus input.txt --vocab-size 4096 --out tokenizer.json"
    })
final class TokenizerTrainCommand implements Callable<Integer> {

  @Option(names = {"-c", "--corpus"}, required = true, paramLabel = "PATH",
      description = "Text to learn from: a file, a folder, a .zip archive or a named corpus (${COMPLETION-CANDIDATES}).",
      completionCandidates = NamedCorpora.class)
  String corpus;

  @Mixin CorpusGlobOptions corpusGlobs;

  @Spec CommandSpec spec;

  @Option(names = {"-v", "--vocab-size"}, required = true, paramLabel = "N",
      description = "Vocabulary size: 256 byte tokens + merges + special tokens (at least 256).")
  int vocabSize;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "Where to write the tokenizer (JSON).")
  Path out;

  @Option(names = "--pattern", paramLabel = "PATTERN", defaultValue = "gpt2",
      description = "Split pattern: gpt2, cl100k, o200k or a regular expression (default: ${DEFAULT-VALUE}).")
  String pattern;

  @Option(names = "--special", paramLabel = "TOKEN", arity = "1..*",
      description = "Special tokens, given the last ids in this order (default: <|endoftext|>). Their text in the "
          + "corpus separates documents and is not learned.")
  List<String> specials = List.of(Tokenizer.END_OF_TEXT);

  @Option(names = "--min-frequency", paramLabel = "F", defaultValue = "2",
      description = "Merge only pairs seen at least F times (default: ${DEFAULT-VALUE}).")
  int minFrequency;

  /** The named corpora, for --help and completion. */
  static final class NamedCorpora implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return CorpusSource.NAMED.iterator();
    }
  }

  @Override
  public Integer call() throws IOException {
    long t0 = System.nanoTime();
    if (vocabSize < 256) {
      throw new ParameterException(spec.commandLine(), "--vocab-size " + vocabSize + " is too small: byte-level BPE needs at least 256 (one token per byte)");
    }
    if (Files.isDirectory(out)) {
      throw new ParameterException(spec.commandLine(), "--out " + out + " is a folder; give a file name like "
          + out.resolve("tokenizer.json"));
    }
    ChunkCounts counts = new ChunkCounts(pattern, specials); // checks the pattern before the corpus is read
    CorpusSource source = CorpusSource.resolve(corpus, corpusGlobs.corpusOptions(spec, corpus));
    TokenizerProgressBar bar = new TokenizerProgressBar(System.err, TrainProgress.stdoutIsTerminal());
    BpeTrainer.Result r;
    try (CtrlC ctrlC = CtrlC.install()) { // the save too: a Ctrl-C then waits for its rename or cleanup
      r = learn(source, counts, bar, ctrlC);
      r.tokenizer().save(out);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.println(String.format(Locale.ROOT,
        "trained %,d merges (vocab %,d) on %s (%,d bytes, %,d distinct chunks) in %.2f s: %.2f bytes/token; wrote %s",
        r.merges(), r.tokenizer().vocabSize(), source.name(), r.corpusBytes(), r.uniqueChunks(), seconds, r.bytesPerToken(), out));
    return 0;
  }

  /** Reads the corpus into {@code counts}, then learns the merges; Ctrl-C stops either phase. */
  private BpeTrainer.Result learn(CorpusSource source, ChunkCounts counts, TokenizerProgressBar bar, CtrlC ctrlC)
      throws IOException {
    long total = source.totalBytes();
    long[] read = {0};
    String reading = "reading " + source.name() + "; no tokenizer was written";
    try {
      bar.phase("reading " + source.name());
      source.read((DocumentInfo document, InputStream in) -> counts.add(new FilterInputStream(in) {
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          ctrlC.throwIfStopped(reading);
          int n = super.read(b, off, len);
          if (n > 0) bar.update(read[0] += n, total, "bytes");
          return n;
        }
      }));
      bar.clear();
      bar.phase("learning merges");
      return BpeTrainer.train(counts, vocabSize, specials, minFrequency, (done, all) -> {
        ctrlC.throwIfStopped("learning merges; no tokenizer was written");
        bar.update(done, all, "merges");
      });
    } catch (CtrlC.StoppedException stopped) {
      bar.endLine(); // the stopped bar stays, and the message starts on a line of its own
      throw stopped;
    } finally {
      bar.clear();
    }
  }
}
