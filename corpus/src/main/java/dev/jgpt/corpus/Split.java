package dev.jgpt.corpus;

import java.util.List;

/**
 * Training and validation tokens of one corpus, cut by position (no shuffling: neighbouring
 * text is alike, and a random split would leak it into validation).
 */
public record Split(TokenData train, TokenData val) {

  public static final double DEFAULT_VAL_FRACTION = 0.1;

  /** The first 90% trains, the last 10% validates, as in nanoGPT. */
  public static Split trainVal(TokenData all) {
    return trainVal(all, DEFAULT_VAL_FRACTION);
  }

  /** The last {@code valFraction} of the tokens validates (0 means no validation data). */
  public static Split trainVal(TokenData all, double valFraction) {
    if (!(valFraction >= 0 && valFraction < 1)) {
      throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + valFraction);
    }
    long trainSize = (long) Math.floor(all.size() * (1 - valFraction));
    return new Split(all.slice(0, trainSize), all.slice(trainSize, all.size()));
  }

  /**
   * Fold {@code fold} of {@code folds} for k-fold cross-validation: the tokens are cut into
   * {@code folds} equal runs by position; run {@code fold} validates, the runs before and after
   * it train (as two segments, so no training window spans the held-out run).
   */
  public static Split folds(TokenData all, int folds, int fold) {
    if (folds < 2) throw new IllegalArgumentException("--folds must be at least 2, got " + folds);
    if (fold < 0 || fold >= folds) throw new IllegalArgumentException("fold must be in [0, " + folds + "), got " + fold);
    if (all.size() < folds) {
      throw new IllegalArgumentException("cannot cut " + all.size() + " tokens into " + folds + " folds; use fewer --folds");
    }
    long from = foldStart(all.size(), folds, fold);
    long to = foldStart(all.size(), folds, fold + 1);
    TokenData train = TokenData.join(List.of(all.slice(0, from), all.slice(to, all.size())));
    return new Split(train, all.slice(from, to));
  }

  /**
   * The most folds {@link #folds} can cut {@code tokens} into with every fold at least
   * {@code minFoldTokens} long (folds differ in length by at most one token).
   */
  public static long largestFoldCount(long tokens, int minFoldTokens) {
    if (minFoldTokens < 1) throw new IllegalArgumentException("minFoldTokens must be at least 1, got " + minFoldTokens);
    return tokens / minFoldTokens;
  }

  /** floor(n * fold / folds) without overflow. */
  private static long foldStart(long n, int folds, int fold) {
    return (n / folds) * fold + (n % folds) * fold / folds;
  }
}
