package dev.jgpt.cli;

import dev.jgpt.corpus.BuildProgress;
import dev.jgpt.corpus.CorpusOptions;
import dev.jgpt.corpus.CorpusSource;
import dev.jgpt.corpus.Split;
import dev.jgpt.corpus.TokenFile;
import dev.jgpt.tokenizer.Tokenizer;
import java.io.IOException;
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

  /** Resolves a --corpus value (file, folder, .zip, jdk, shakespeare). */
  static CorpusSource resolve(String corpus, Path cacheDir) throws IOException {
    CorpusOptions options = CorpusOptions.defaults();
    if (cacheDir != null) options = options.withCacheDir(cacheDir);
    return CorpusSource.resolve(corpus, options);
  }

  /** Tokenizes {@code source} with {@code tokenizer} (reusing the cached token file) and splits it. */
  static TrainData prepare(CorpusSource source, Tokenizer tokenizer, Path cacheDir, int threads, PrintStream out,
      boolean terminal) throws IOException {
    Path cache = cacheDir != null ? cacheDir : CorpusOptions.defaults().cacheDir();
    Path file = TokenFile.cachePath(source, tokenizer, cache);
    BuildProgress progress = terminal ? bar(out, "tokenizing " + source.name()) : BuildProgress.NONE;
    TokenFile tokens = TokenFile.prepare(source, tokenizer, file, threads <= 0 ? Runtime.getRuntime().availableProcessors()
        : threads, progress);
    if (terminal && tokens.built()) out.println();
    if (tokens.size() == 0) {
      tokens.close();
      throw new IllegalArgumentException("corpus " + source.name() + " is empty (no text after skipping binary files); "
          + "point --corpus at some text");
    }
    return new TrainData(source, tokens, Split.trainVal(tokens));
  }

  /** A progress bar for building the token file, redrawn in place. */
  static BuildProgress bar(PrintStream out, String what) {
    long[] lastDraw = {0};
    return (done, total) -> {
      long now = System.nanoTime();
      if (now - lastDraw[0] < 100_000_000L && done < total) return;
      lastDraw[0] = now;
      double f = total <= 0 ? 1 : Math.min(1, (double) done / total);
      int filled = (int) Math.round(f * 30);
      out.print(String.format(Locale.ROOT, "\r\033[K%s [%s%s] %3.0f%% of %.1f MB", what, "#".repeat(filled),
          " ".repeat(30 - filled), f * 100, total / 1e6));
      out.flush();
    };
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
