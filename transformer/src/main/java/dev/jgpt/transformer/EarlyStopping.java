package dev.jgpt.transformer;

/**
 * Early stopping on the validation loss: the run stops once {@code patience} evaluations in a row
 * failed to beat the best loss so far by more than {@code minDelta}. Also tracks the best
 * evaluation, which decides when the best-validation checkpoint is rewritten. Its state is part
 * of the checkpoint so a resumed run counts on where it stopped.
 */
public final class EarlyStopping {

  /** What one evaluation means for the run. */
  public enum Verdict { IMPROVED, NOT_IMPROVED, STOP }

  private final int patience;
  private final double minDelta;
  private double bestLoss;
  private long bestStep;
  private int evalsWithoutImprovement;

  /** @param patience evaluations without improvement before stopping; 0 never stops */
  public EarlyStopping(int patience, double minDelta) {
    if (patience < 0) throw new IllegalArgumentException("patience must be >= 0 (0 = off), got " + patience);
    if (!(minDelta >= 0)) throw new IllegalArgumentException("min delta must be >= 0, got " + minDelta);
    this.patience = patience;
    this.minDelta = minDelta;
    this.bestLoss = Double.POSITIVE_INFINITY;
    this.bestStep = -1;
  }

  /** Restores the counters saved in a checkpoint. */
  public void restore(double bestLoss, long bestStep, int evalsWithoutImprovement) {
    this.bestLoss = bestLoss;
    this.bestStep = bestStep;
    this.evalsWithoutImprovement = evalsWithoutImprovement;
  }

  /** Records the validation loss measured after {@code step} steps. */
  public Verdict observe(long step, double valLoss) {
    if (valLoss < bestLoss - minDelta || (bestStep < 0 && Double.isFinite(valLoss))) {
      bestLoss = valLoss;
      bestStep = step;
      evalsWithoutImprovement = 0;
      return Verdict.IMPROVED;
    }
    evalsWithoutImprovement++;
    return patience > 0 && evalsWithoutImprovement >= patience ? Verdict.STOP : Verdict.NOT_IMPROVED;
  }

  public double bestLoss() {
    return bestLoss;
  }

  /** Step of the best evaluation, -1 before the first. */
  public long bestStep() {
    return bestStep;
  }

  public int evalsWithoutImprovement() {
    return evalsWithoutImprovement;
  }

  public int patience() {
    return patience;
  }
}
