package dev.jgpt.transformer;

/**
 * Receives a {@link Trainer}'s progress: the CLI turns it into a status line or log lines, tests
 * record it. Called on the training thread; every method defaults to doing nothing.
 */
public interface TrainerListener {
  default void started(TrainerEvents.Start start) {}

  default void stepped(TrainerEvents.Step step) {}

  default void evaluated(TrainerEvents.Eval eval) {}

  /** A short generated text (after an evaluation and at the end). */
  default void sampled(long step, String text) {}

  default void saved(TrainerEvents.Saved saved) {}

  default void finished(TrainerResult result) {}

  TrainerListener NONE = new TrainerListener() {};
}
