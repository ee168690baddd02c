package dev.jgpt.cli;

import dev.jgpt.corpus.CorpusSource;
import dev.jgpt.corpus.Split;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks {@code --folds K}: at least 2, and no more folds than the corpus has contexts, since a
 * fold shorter than one context (block_size + 1 tokens) cannot validate anything. A bad K is a
 * usage error (exit 2), found before a fold folder is written: once against the corpus's bytes
 * before it is tokenized (no more tokens than bytes), then exactly against its tokens.
 */
final class FoldsFlag {
  private FoldsFlag() {}

  static void checkCount(CommandSpec command, int folds) {
    if (folds < 2) throw new ParameterException(command.commandLine(), "--folds must be at least 2, got " + folds);
  }

  /** Before tokenizing: every token is at least one byte, plus one separator between documents. */
  static void checkAgainstBytes(CommandSpec command, int folds, CorpusSource source, int blockSize) {
    long maxTokens = source.totalBytes() + Math.max(0, source.documents().size() - 1);
    long largest = Split.largestFoldCount(maxTokens, blockSize + 1);
    if (folds > largest) {
      throw new ParameterException(command.commandLine(), String.format(Locale.ROOT,
          "--folds %,d is too many for corpus %s: each fold needs one context (block_size + 1 = %,d tokens), and its "
              + "%,d bytes make at most %,d tokens; %s", folds, source.name(), blockSize + 1, source.totalBytes(), maxTokens,
          advice(largest)));
    }
  }

  /** After tokenizing: the exact largest K. */
  static void checkAgainstTokens(CommandSpec command, int folds, long tokens, int blockSize) {
    long largest = Split.largestFoldCount(tokens, blockSize + 1);
    if (folds > largest) {
      throw new ParameterException(command.commandLine(), String.format(Locale.ROOT,
          "--folds %,d is too many: %,d tokens cut into %,d folds leave %,d per fold, fewer than one context "
              + "(block_size + 1 = %,d tokens); %s", folds, tokens, folds, tokens / folds, blockSize + 1, advice(largest)));
    }
  }

  private static String advice(long largest) {
    return largest >= 2 ? String.format(Locale.ROOT, "use --folds %,d or fewer (or a smaller --block-size)", largest)
        : "the corpus is too short for 2 folds: use more text or a smaller --block-size";
  }
}
