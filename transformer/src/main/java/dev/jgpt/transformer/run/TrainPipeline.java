package dev.jgpt.transformer.run;

import dev.jgpt.corpus.BuildProgress;
import dev.jgpt.corpus.CorpusOptions;
import dev.jgpt.corpus.CorpusSource;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.CheckpointState;
import dev.jgpt.transformer.RunDirectory;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The data a training run reads, assembled in order: the corpus the configuration names, the
 * run's tokenizer, then the corpus tokenized once into a cached token file and split. The CLI
 * calls the three steps one after the other (printing the settings between the tokenizer and the
 * token file); what they report goes to an {@link Output} and the user stops them through a
 * {@link StopSignal}, so this code never sees a terminal or a signal.
 *
 * @param setup the configuration and the starting model (--init-from), from {@link TrainSetup}
 * @param cacheDir where token files and downloads are cached; null for the default
 * @param threads tokenizing threads; 0 or less for one per core
 */
public record TrainPipeline(TrainSetup setup, Path cacheDir, int threads, Output output) {

  /** Where the pipeline reports (the CLI's console). */
  public interface Output {
    /** One line to show, e.g. "training a BPE tokenizer with 512 tokens on jdk...". */
    void line(String line);

    /** A display of the token file being built, {@code what} being "tokenizing NAME"; ended when the build ends. */
    Progress tokenizing(String what);

    /** Told how far the token file has got; {@link #end} comes once, finished or stopped. */
    interface Progress extends BuildProgress {
      /** The build is over: what follows starts on a line of its own. */
      void end();
    }
  }

  /** The corpus of the configuration, read with {@code options} (its checked --include/--exclude globs). */
  public CorpusSource corpus(CorpusOptions options) throws IOException {
    if (cacheDir != null) options = options.withCacheDir(cacheDir);
    return CorpusSource.resolve(setup.config().corpus(), options);
  }

  /**
   * The run's tokenizer: a resumed run's own ({@code runDir}'s, checked against {@code resumeState}),
   * the starting model's (--init-from), else the one {@link TrainTokenizer} chooses or trains on
   * {@code source}. A --vocab-size flag that a --tokenizer file overrides gets a note.
   */
  public Tokenizer tokenizer(CorpusSource source, Path runDir, CheckpointState resumeState, StopSignal stop)
      throws IOException {
    if (resumeState != null) return RunDirectory.readTokenizer(runDir, resumeState.tokenizerHash());
    Tokenizer tok;
    if (setup.start() != null) {
      tok = setup.start().tokenizer();
      output.line(setup.start().describe());
    } else {
      tok = TrainTokenizer.choose(setup.config(), source, output::line, stop);
    }
    String file = setup.config().tokenizer();
    if (!file.isEmpty() && setup.vocabSizeFlag()) {
      output.line("note: --vocab-size is ignored: " + file + " has " + tok.vocabSize() + " tokens");
    }
    return tok;
  }

  /** {@code source} tokenized with {@code tokenizer} (the cached token file when there is one), split for training. */
  public TrainData tokens(CorpusSource source, Tokenizer tokenizer, StopSignal stop) throws IOException {
    return TrainData.prepare(source, tokenizer, cacheDir, threads, output.tokenizing("tokenizing " + source.name()), stop);
  }
}
