package dev.jgpt.transformer.run;

/**
 * How the user stops the data pipeline before training starts (the CLI's Ctrl-C). The work polls
 * it between pieces (documents, merges, tokenizing chunks) and ends with the exception
 * {@link #stopped} makes, so that its finally blocks remove what it half wrote before the process
 * exits. Training itself stops differently: the trainer saves a checkpoint first.
 */
public interface StopSignal {
  /** Whether the user asked to stop; the work then throws {@link #stopped}. */
  boolean stopRequested();

  /**
   * The exception that ends the work; {@code what} says what was stopped and what became of its
   * files ("tokenizing x; the partial token file was removed").
   */
  RuntimeException stopped(String what);

  /** Throws {@link #stopped} when the user asked to stop. */
  default void throwIfStopped(String what) {
    if (stopRequested()) throw stopped(what);
  }
}
