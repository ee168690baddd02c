package dev.jgpt.cli;

import dev.jgpt.corpus.BuildProgress;
import dev.jgpt.corpus.CorpusOptions;
import dev.jgpt.corpus.CorpusSource;
import dev.jgpt.corpus.Split;
import dev.jgpt.corpus.TokenFile;
import dev.jgpt.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The text side of {@code jgpt train}: resolves the corpus, tokenizes it once into a cached,
 * memory-mapped token file (with a progress bar), and splits it 90/10 into training and
 * validation tokens.
 */
final class TrainData implements AutoCloseable {
  final CorpusSource source;
  final TokenFile tokens; // (N) every token of the corpus
  final Split split;

  private TrainData(CorpusSource source, TokenFile tokens, Split split) {
    this.source = source;
    this.tokens = tokens;
    this.split = split;
  }

  /** Resolves a --corpus value (file, folder, .zip, jdk, shakespeare) with the --include/--exclude globs in {@code options}. */
  static CorpusSource resolve(String corpus, CorpusOptions options, Path cacheDir) throws IOException {
    if (cacheDir != null) options = options.withCacheDir(cacheDir);
    return CorpusSource.resolve(corpus, options);
  }

  /**
   * Tokenizes {@code source} with {@code tokenizer} (reusing the cached token file) and splits it.
   * Ctrl-C ({@code ctrlC}) stops the tokenizing with no partial token file left behind.
   */
  static TrainData prepare(CorpusSource source, Tokenizer tokenizer, Path cacheDir, int threads, PrintStream out,
      boolean terminal, CtrlC ctrlC) throws IOException {
    Path cache = cacheDir != null ? cacheDir : CorpusOptions.defaults().cacheDir();
    Path file = TokenFile.cachePath(source, tokenizer, cache);
    Bar bar = terminal ? new Bar(out, "tokenizing " + source.name()) : null;
    TokenFile tokens;
    try {
      tokens = TokenFile.prepare(source, tokenizer, file, threads <= 0 ? Runtime.getRuntime().availableProcessors()
          : threads, bar != null ? bar : BuildProgress.NONE, ctrlC::stopRequested);
    } catch (InterruptedIOException stopped) {
      if (!ctrlC.stopRequested()) throw stopped;
      throw ctrlC.stopped("tokenizing " + source.name() + "; the partial token file was removed");
    } finally {
      if (bar != null) bar.endLine(); // finished or not, what follows starts on a line of its own
    }
    if (tokens.size() == 0) {
      tokens.close();
      throw new IllegalArgumentException("corpus " + source.name() + " is empty (no text after skipping binary files); "
          + "point --corpus at some text");
    }
    return new TrainData(source, tokens, Split.trainVal(tokens));
  }

  /** A progress bar for building the token file, redrawn in place. */
  static final class Bar implements BuildProgress {
    private final PrintStream out;
    private final String what;
    private long lastDraw;
    private boolean drawn;

    Bar(PrintStream out, String what) {
      this.out = out;
      this.what = what;
    }

    @Override
    public void update(long done, long total) {
      long now = System.nanoTime();
      if (drawn && now - lastDraw < 100_000_000L && done < total) return;
      lastDraw = now;
      drawn = true;
      double f = total <= 0 ? 1 : Math.min(1, (double) done / total);
      int filled = (int) Math.round(f * 30);
      out.print(String.format(Locale.ROOT, "\r\033[K%s [%s%s] %3.0f%% of %.1f MB", what, "#".repeat(filled),
          " ".repeat(30 - filled), f * 100, total / 1e6));
      out.flush();
    }

    /** Ends the bar's line when one was drawn (nothing is drawn when the token file is reused). */
    void endLine() {
      if (drawn) out.println();
      drawn = false;
    }
  }

  /** One line on the data, e.g. "corpus jdk: 3,245,110 tokens (2,920,599 train, 324,511 val), 3.2 MB". */
  String describe() {
    return String.format(Locale.ROOT, "corpus %s: %,d tokens (%,d train, %,d val) from %.1f MB of text%s",
        source.name(), tokens.size(), split.train().size(), split.val().size(), tokens.byteCount() / 1e6,
        tokens.built() ? "" : " (cached)");
  }

  @Override
  public void close() {
    tokens.close();
  }
}
