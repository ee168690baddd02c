package dev.jgpt.corpus;

/** Told how far building a token file has got; the CLI draws it as a progress bar. Called on the building thread. */
@FunctionalInterface
public interface BuildProgress {
  /** {@code doneBytes} of the corpus's {@code totalBytes} are tokenized (or skipped as binary). */
  void update(long doneBytes, long totalBytes);

  BuildProgress NONE = (doneBytes, totalBytes) -> {};
}
