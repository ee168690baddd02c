package dev.jgpt.transformer.run;

import dev.jgpt.corpus.CorpusOptions;
import dev.jgpt.corpus.CorpusSource;
import dev.jgpt.corpus.Split;
import dev.jgpt.corpus.TokenFile;
import dev.jgpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The text side of a training run: the corpus tokenized once into a cached, memory-mapped token
 * file, split 90/10 into training and validation tokens. Closing it unmaps the file.
 */
public final class TrainData implements AutoCloseable {
  private final CorpusSource source;
  private final TokenFile tokens; // (N) every token of the corpus
  private final Split split;

  private TrainData(CorpusSource source, TokenFile tokens, Split split) {
    this.source = source;
    this.tokens = tokens;
    this.split = split;
  }

  /**
   * Tokenizes {@code source} with {@code tokenizer} (reusing the cached token file) and splits it,
   * telling {@code progress} how far it got and ending it either way. {@code stop} stops the
   * tokenizing with no partial token file left behind.
   */
  public static TrainData prepare(CorpusSource source, Tokenizer tokenizer, Path cacheDir, int threads,
      TrainPipeline.Output.Progress progress, StopSignal stop) throws IOException {
    Path cache = cacheDir != null ? cacheDir : CorpusOptions.defaults().cacheDir();
    Path file = TokenFile.cachePath(source, tokenizer, cache);
    TokenFile tokens;
    try {
      tokens = TokenFile.prepare(source, tokenizer, file, threads <= 0 ? Runtime.getRuntime().availableProcessors()
          : threads, progress, stop::stopRequested);
    } catch (InterruptedIOException stopped) {
      if (!stop.stopRequested()) throw stopped;
      throw stop.stopped("tokenizing " + source.name() + "; the partial token file was removed");
    } finally {
      progress.end(); // finished or not, what follows starts on a line of its own
    }
    if (tokens.size() == 0) {
      tokens.close();
      throw new IllegalArgumentException("corpus " + source.name() + " is empty (no text after skipping binary files); "
          + "point --corpus at some text");
    }
    return new TrainData(source, tokens, Split.trainVal(tokens));
  }

  /** (N) every token of the corpus, for k-fold splits. */
  public TokenFile tokens() {
    return tokens;
  }

  /** The 90/10 training and validation tokens. */
  public Split split() {
    return split;
  }

  /** One line on the data, e.g. "corpus jdk: 3,245,110 tokens (2,920,599 train, 324,511 val), 3.2 MB". */
  public String describe() {
    return String.format(Locale.ROOT, "corpus %s: %,d tokens (%,d train, %,d val) from %.1f MB of text%s",
        source.name(), tokens.size(), split.train().size(), split.val().size(), tokens.byteCount() / 1e6,
        tokens.built() ? "" : " (cached)");
  }

  @Override
  public void close() {
    tokens.close();
  }
}
