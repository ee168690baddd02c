package dev.jgpt.transformer;

/**
 * How a training run ended.
 *
 * @param outcome why it stopped
 * @param step optimizer steps completed (the last checkpoint's step unless {@code DIVERGED})
 * @param trainLoss loss of the last good step
 * @param valLoss last validation loss in nats per token (NaN when never evaluated)
 * @param valBpb the same in bits per byte of text
 * @param bestValLoss best validation loss, at {@code bestStep}
 * @param elapsedSeconds training time of the whole run, resumed sessions included
 * @param tokensPerSecond median training throughput of this session
 * @param msPerStep median time per optimizer step of this session
 * @param message one line for the user: what happened and, when it failed, what to do
 */
public record TrainerResult(Outcome outcome, long step, double trainLoss, double valLoss, double valBpb,
    double bestValLoss, long bestStep, double elapsedSeconds, double tokensPerSecond, double msPerStep,
    String message) {

  public enum Outcome {
    /** max_iters reached. */
    COMPLETED,
    /** The validation loss stopped improving for {@code patience} evaluations. */
    EARLY_STOPPED,
    /** Stopped on request (Ctrl-C); a checkpoint was saved. */
    INTERRUPTED,
    /** The loss became NaN or infinite; the last good checkpoint was kept. */
    DIVERGED
  }

  public boolean failed() {
    return outcome == Outcome.DIVERGED;
  }
}
