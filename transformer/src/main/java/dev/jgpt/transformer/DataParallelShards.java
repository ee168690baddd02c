package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.BooleanSupplier;

/**
 * A small model's training step as data-parallel shards: the batch's rows split in equal parts,
 * each part's forward and backward pass on a {@link Gpt#shard} of its own (its own activations,
 * the weights shared), all at once on the backend's {@link Backend#coreShares}, then the shards'
 * gradients added. A step of nanoGPT's CPU recipe on 2 cores runs as two 6-sequence halves, one a
 * core, instead of every op split over both cores: no hand-off between the cores inside the passes,
 * and each core's activations stay in its own cache.
 *
 * <p>The results do not depend on the thread count: the shards are the same on one thread (they
 * run one after another there), shard 0 adds into the model's gradients and the others' gradients
 * are added to them in shard order after the passes. They differ from one pass over the whole batch
 * in the last bits (a weight's gradient is two sums added instead of one), and the dropout masks
 * of shard k > 0 come from their own seed.
 *
 * <p>A shard whose pass ends first lends its thread to the others' shares ({@link Backend#helpUntil})
 * until their passes end: the halves cannot be rebalanced once the step has begun, but when the host
 * takes one core away for a while, the other core then runs part of each of the slower shard's
 * remaining ops instead of waiting for it. Help changes no bits.
 *
 * <p>The passes run on the owner's backend's threads ({@link Backend#runTogether}): the thread that
 * runs shard 1 is the one that runs the other half of each optimizer op, so it is already awake when
 * the next step's passes begin.
 */
final class DataParallelShards implements AutoCloseable {
  /** Mixed into the dropout seed of shard k > 0, so that its masks are not shard 0's. */
  private static final long SHARD_SEED_STEP = 0x9E3779B97F4A7C15L;

  private final Gpt owner;
  private final Backend backend; // the owner's: adds the shards' gradients with all cores
  private final Gpt[] shards;
  /** (shards) the backend each shard runs on. */
  private final Backend[] shares;
  /** (shards) 1 while shard k's pass of the running step runs: set at its start, cleared at its end. */
  private final AtomicIntegerArray passRunning;
  /** (shards) whether shard k's pass is not running (ended, or not begun): the end of a helper's loan, made once. */
  private final BooleanSupplier[] passEnded;
  /** (shards, rows * T) each shard's inputs and targets, copied out of a step's batch. */
  private final int[][] inputs, targets;
  /** (shards) each shard's mean loss in the running step. */
  private final float[] losses;
  /** Shard k's pass, then its thread lent to the others until their passes end, made once. */
  private final Runnable[] passesThenHelp;
  // the running step's arguments, read by the passes (runTogether's fork publishes them to its threads)
  private float dlossScale;
  private long rngStep;

  /** {@code count} shards of B / count rows each for {@code owner}, a training model of B rows. */
  DataParallelShards(Gpt owner, int B, int count) {
    if (B % count != 0) throw new IllegalArgumentException("a batch of " + B + " rows does not split into " + count + " shards");
    this.owner = owner;
    this.backend = owner.backend();
    shares = backend.coreShares(count);
    int rows = B / count, n = rows * owner.seqLen();
    shards = new Gpt[count];
    inputs = new int[count][n];
    targets = new int[count][n];
    for (int k = 0; k < count; k++) shards[k] = Gpt.shard(owner, shares[k], rows, k);
    losses = new float[count];
    passRunning = new AtomicIntegerArray(count);
    passEnded = new BooleanSupplier[count];
    passesThenHelp = new Runnable[count];
    for (int k = 0; k < count; k++) {
      int shard = k;
      passEnded[k] = () -> passRunning.get(shard) == 0;
      passesThenHelp[k] = () -> runPassThenHelp(shard);
    }
  }

  /** How many shards a step runs on. */
  int count() {
    return shards.length;
  }

  /** Each shard's masks: shard 0 the model's, shard k the seed mixed with k. */
  void setDropoutSeed(long seed) {
    for (int k = 0; k < shards.length; k++) shards[k].setDropoutSeed(seed + k * SHARD_SEED_STEP);
  }

  /**
   * {@link Gpt#forwardBackward} of the owner's whole batch (token ids already checked): each shard
   * over its rows, then the shards' gradients added into the owner's. Returns the mean loss.
   */
  float forwardBackward(int[] batchInputs, int[] batchTargets, float dlossScale, long rngStep) {
    int n = inputs[0].length;
    for (int k = 0; k < shards.length; k++) {
      System.arraycopy(batchInputs, k * n, inputs[k], 0, n);
      System.arraycopy(batchTargets, k * n, targets[k], 0, n);
    }
    this.dlossScale = dlossScale;
    this.rngStep = rngStep;
    backend.runTogether(passesThenHelp); // one after another where the shares are the backend itself
    addShardGradients();
    double sum = 0;
    for (float loss : losses) sum += loss;
    return (float) (sum / shards.length);
  }

  /**
   * Shard k's pass, then its thread lent to the shards still running until their passes end. A
   * shard whose pass has not begun counts as ended: where the works run one after another (shares
   * that are the backend itself, or a backend whose runTogether does not run them at once) help
   * would otherwise wait for a pass that can only start after it.
   */
  private void runPassThenHelp(int k) {
    passRunning.set(k, 1);
    try {
      losses[k] = shards[k].forwardBackward(inputs[k], targets[k], dlossScale, rngStep);
    } finally {
      passRunning.set(k, 0);
    }
    for (int j = 0; j < shards.length; j++) {
      if (j != k) shares[j].helpUntil(passEnded[j]);
    }
  }

  // owner's gradients += each other shard's, in shard order; theirs back to zero for the next step (same pass)
  private void addShardGradients() {
    int P = owner.layout().totalCount();
    backend.beginStep("add_shard_grads");
    for (int k = 1; k < shards.length; k++) backend.accumulateAndClear(owner.gradsSlice(), shards[k].gradsSlice(), P);
    backend.endStep();
  }

  /** Zeroes the gradients of shards k > 0 (shard 0's are the owner's). */
  void zeroOwnGrads() {
    for (int k = 1; k < shards.length; k++) backend.zero(shards[k].gradsSlice());
  }

  @Override
  public void close() {
    for (Gpt shard : shards) shard.close();
  }
}
