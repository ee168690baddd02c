package dev.jgpt.corpus;

/**
 * A fixed set of validation windows, the same at every evaluation, so validation losses of one
 * run (and of runs with the same data and shapes) compare without sampling noise. The
 * B * batches windows are spread evenly over the validation data, in order; when it holds fewer
 * windows than that, some repeat.
 */
public final class EvalBatches {
  private static final double LN2 = Math.log(2);

  private final Windows windows;
  private final int batchSize;
  private final int blockSize;
  private final int batches;
  private final long targetBytes;

  public EvalBatches(TokenData val, int batchSize, int blockSize, int batches) {
    if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    if (batches < 1) throw new IllegalArgumentException("evaluation batches must be at least 1, got " + batches);
    this.windows = new Windows(val, blockSize, "the validation data");
    this.batchSize = batchSize;
    this.blockSize = blockSize;
    this.batches = batches;
    long bytes = 0;
    for (long w = 0; w < windowTotal(); w++) bytes += windows.targetBytes(window(w));
    this.targetBytes = bytes;
  }

  public int batches() {
    return batches;
  }

  /** inputs (B,T), targets (B,T) of evaluation batch {@code batch} (0 <= batch < batches). */
  public void fill(int batch, int[] inputs, int[] targets) {
    if (batch < 0 || batch >= batches) throw new IndexOutOfBoundsException("batch " + batch + " of " + batches);
    for (int row = 0; row < batchSize; row++) {
      windows.fill(window((long) batch * batchSize + row), inputs, targets, row);
    }
  }

  /** Target tokens over all batches: B * T * batches. */
  public long targetTokens() {
    return windowTotal() * blockSize;
  }

  /** Bytes of text the target tokens of all batches decode to. */
  public long targetBytes() {
    return targetBytes;
  }

  /**
   * Bits per byte for a mean loss in nats per target token over all batches: the loss of the
   * whole text in bits divided by its length in bytes, comparable across tokenizers.
   */
  public double bitsPerByte(double meanLossNats) {
    return meanLossNats * targetTokens() / (LN2 * targetBytes);
  }

  private long windowTotal() {
    return (long) batchSize * batches;
  }

  /** Window number of evaluation window i: floor(i * count / total), computed without overflow. */
  private long window(long i) {
    long count = windows.count();
    long total = windowTotal();
    return i * (count / total) + i * (count % total) / total;
  }
}
