package dev.jgpt.corpus;

/**
 * Training batches of B random windows of T+1 tokens, as nanoGPT's get_batch: row b of batch
 * n starts at a window drawn from a hash of (seed, n, b), uniformly over every window that lies
 * inside one segment of the data. The loader's whole state is the batch index
 * ({@link #position()}): store it in the checkpoint and {@link #seek} to it on resume.
 */
public final class BatchLoader {
  private final Windows windows;
  private final int batchSize;
  private final int blockSize;
  private final long seed;
  private long position;

  public BatchLoader(TokenData train, int batchSize, int blockSize, long seed) {
    if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    this.windows = new Windows(train, blockSize, "the training data");
    this.batchSize = batchSize;
    this.blockSize = blockSize;
    this.seed = seed;
  }

  /** Fills the next batch and advances the position. inputs (B,T), targets (B,T): targets[b][t] is the token after inputs[b][t]. */
  public void next(int[] inputs, int[] targets) {
    int need = batchSize * blockSize;
    if (inputs.length < need || targets.length < need) {
      throw new IllegalArgumentException("batch arrays need B*T = " + need + " ints, got " + inputs.length + " and "
          + targets.length);
    }
    for (int row = 0; row < batchSize; row++) {
      windows.fill(WindowRng.below(windows.count(), seed, position, row), inputs, targets, row);
    }
    position++;
  }

  /** How many batches have been drawn: the next batch is number {@code position()}. */
  public long position() {
    return position;
  }

  /** Makes the next batch number {@code batchIndex} (resume from a checkpoint). */
  public void seek(long batchIndex) {
    if (batchIndex < 0) throw new IllegalArgumentException("batch index must be >= 0, got " + batchIndex);
    position = batchIndex;
  }

  public int batchSize() {
    return batchSize;
  }

  public int blockSize() {
    return blockSize;
  }

  public long seed() {
    return seed;
  }

  /** How many distinct windows the training data holds. */
  public long windowCount() {
    return windows.count();
  }
}
