package dev.jgpt.transformer;

import java.nio.file.Path;

/** What a {@link Trainer} reports to its {@link TrainerListener}, one record per kind of event. */
public final class TrainerEvents {
  private TrainerEvents() {}

  /**
   * Training starts (or resumes at {@code startStep}).
   *
   * @param parameters trainable parameters (the padded vocabulary rows not counted)
   * @param flopsPerStep approximate floating-point operations of one optimizer step (6N per token
   *     plus attention), for GFLOP/s
   */
  public record Start(TrainConfig config, GptConfig model, long parameters, long startStep, String backend,
      Path runDir, double flopsPerStep) {}

  /** One optimizer step done. {@code loss} is the mean over its micro-batches. */
  public record Step(long step, long maxIters, double loss, double lr, double gradNorm, double msPerStep,
      double tokensPerSecond, double elapsedSeconds) {}

  /** A validation evaluation after {@code step} steps; losses in nats per token. */
  public record Eval(long step, double valLoss, double valBpb, double bestValLoss, long bestStep, boolean improved,
      double evalMs) {}

  /** A checkpoint was written: {@code what} is "checkpoint", "best" or "snapshot". */
  public record Saved(long step, Path dir, String what) {}
}
