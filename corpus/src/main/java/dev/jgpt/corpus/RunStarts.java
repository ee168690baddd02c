package dev.jgpt.corpus;

/**
 * Finds which of several consecutive runs holds a position, given where each run starts: the
 * lookup of {@link JoinedTokens} (token index to part) and {@link Windows} (window number to
 * segment).
 */
final class RunStarts {
  private RunStarts() {}

  /**
   * The run holding {@code position}: the largest i in [0, runs) with starts[i] <= position.
   * starts (runs + 1) is non-decreasing with starts[0] = 0 and starts[runs] = the total; an empty
   * run shares its start with the next one, so it is never the answer for a position inside the total.
   */
  static int runOf(long[] starts, int runs, long position) {
    int lo = 0;
    int hi = runs - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
