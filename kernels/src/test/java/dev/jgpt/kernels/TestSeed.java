package dev.jgpt.kernels;

/**
 * The seed of the randomised kernel tests: fixed, so a failure reproduces on the next run and on
 * every machine; {@code -Djgpt.test.seed=N} explores other data (the seed is in every failure
 * message).
 */
public final class TestSeed {
  private TestSeed() {}

  public static final long DEFAULT = 20261205L;

  public static long get() {
    return Long.getLong("jgpt.test.seed", DEFAULT);
  }
}
