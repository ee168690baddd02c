package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
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
 */
final class DataParallelShards implements AutoCloseable {
  /** Mixed into the dropout seed of shard k > 0, so that its masks are not shard 0's. */
  private static final long SHARD_SEED_STEP = 0x9E3779B97F4A7C15L;

  private final Gpt owner;
  private final Backend backend; // the owner's: adds the shards' gradients with all cores
  private final Gpt[] shards;
  /** (shards) the backend each shard runs on. */
  private final Backend[] shares;
  /** (shards) 1 while shard k's pass of the running step has not ended. */
  private final AtomicIntegerArray passRunning;
  /** (shards) whether shard k's pass has ended: the end of a helper's loan, made once. */
  private final BooleanSupplier[] passEnded;
  /** (shards, rows * T) each shard's inputs and targets, copied out of a step's batch. */
  private final int[][] inputs, targets;
  /** (shards) the thread that runs shard k > 0 at the same time as shard 0 (on the caller); null where they run one after another. */
  private final ShardThread[] others;
  /** (shards) each shard's mean loss in the running step. */
  private final float[] losses;
  /** Shard k's pass over the running step's rows, made once. */
  private final Runnable[] passes;
  // the running step's arguments, read by the passes (starting a shard's thread publishes them)
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
    for (int k = 0; k < count; k++) {
      int shard = k;
      passEnded[k] = () -> passRunning.get(shard) == 0;
    }
    passes = new Runnable[count];
    for (int k = 0; k < count; k++) {
      int shard = k;
      passes[k] = () -> losses[shard] = shards[shard].forwardBackward(inputs[shard], targets[shard], dlossScale, rngStep);
    }
    boolean together = shares[0] != shares[count - 1];
    others = together ? new ShardThread[count] : null;
    for (int k = 1; together && k < count; k++) others[k] = new ShardThread(this, k);
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
    if (others == null) {
      for (Runnable pass : passes) pass.run();
    } else {
      for (int k = 0; k < shards.length; k++) passRunning.set(k, 1);
      for (int k = 1; k < shards.length; k++) others[k].start(Thread.currentThread());
      RuntimeException failure = null;
      try {
        runPassThenHelp(0);
      } catch (RuntimeException e) {
        failure = e;
      }
      for (int k = 1; k < shards.length; k++) {
        RuntimeException f = others[k].await();
        if (failure == null) failure = f;
      }
      if (failure != null) throw failure;
    }
    addShardGradients();
    double sum = 0;
    for (float loss : losses) sum += loss;
    return (float) (sum / shards.length);
  }

  /** Shard k's pass, then its thread lent to the shards still running until their passes end. */
  private void runPassThenHelp(int k) {
    try {
      passes[k].run();
    } finally {
      passRunning.set(k, 0);
    }
    for (int j = 0; j < shards.length; j++) {
      if (j != k) shares[j].helpUntil(passEnded[j]);
    }
  }

  /** How long a waiting thread spins before it parks: a step's passes take milliseconds. */
  private static final long SPIN_NANOS = 50_000;

  /**
   * A daemon thread that runs one shard's pass (and its help to the others) each time it is
   * started: a hand-off that allocates nothing (an executor's future would, every step), spinning
   * briefly, then parked.
   */
  private static final class ShardThread implements Runnable {
    private final DataParallelShards shards;
    private final int shard;
    private final Thread thread;
    private volatile long started, finished; // passes started and finished
    private volatile Thread caller;
    private volatile RuntimeException failure;
    private volatile Error error;

    ShardThread(DataParallelShards shards, int shard) {
      this.shards = shards;
      this.shard = shard;
      thread = new Thread(this, "jgpt-shard-" + shard);
      thread.setDaemon(true);
      thread.start();
    }

    void start(Thread caller) {
      this.caller = caller;
      failure = null;
      error = null;
      started = started + 1;
      LockSupport.unpark(thread);
    }

    /** Waits for the pass started last; its failure or null. An Error in it is thrown here. */
    RuntimeException await() {
      long target = started, begin = System.nanoTime();
      while (finished != target) {
        if (System.nanoTime() - begin < SPIN_NANOS) Thread.onSpinWait();
        else LockSupport.parkNanos(this, 1_000_000);
      }
      if (error != null) throw error;
      return failure;
    }

    @Override
    public void run() {
      long done = 0;
      while (!Thread.currentThread().isInterrupted()) {
        long begin = System.nanoTime();
        while (started == done) {
          if (Thread.currentThread().isInterrupted()) return;
          if (System.nanoTime() - begin < SPIN_NANOS) Thread.onSpinWait();
          else LockSupport.park(this);
        }
        try {
          shards.runPassThenHelp(shard);
        } catch (RuntimeException e) {
          failure = e;
        } catch (Error e) {
          error = e;
        }
        done++;
        finished = done;
        LockSupport.unpark(caller);
      }
    }

    void stop() {
      thread.interrupt();
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
    for (int k = 1; others != null && k < others.length; k++) others[k].stop();
  }
}
