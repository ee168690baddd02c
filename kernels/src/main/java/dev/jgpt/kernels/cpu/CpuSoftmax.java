package dev.jgpt.kernels.cpu;

/**
 * Softmax and the fused softmax + cross-entropy over rows of logits, rows split between
 * workers. The fused kernel makes three passes over a row (max; exp stored in place and
 * summed; scale and subtract the target) and never keeps probabilities elsewhere. Losses use
 * StrictMath.log: the same bits whether or not the JIT has compiled the loop.
 *
 * <p>Arguments travel in fields to range bodies made once (no allocation per call; see
 * {@link CpuPointwise}).
 */
final class CpuSoftmax {
  private final WorkerPool pool;
  // Arguments of the running op: logits (N,Vp), probs (N,Vp) or losses (N), targets (N).
  private float[] logits, probs, losses;
  private int logitso, probso, losseso;
  private int[] targets;
  private int V, Vp;
  private float dlossScale;
  private final WorkerPool.Range softmax = this::softmaxRows, crossEntropy = this::crossEntropyRows,
      crossEntropyBackward = this::crossEntropyBackwardRows;

  CpuSoftmax(WorkerPool pool) {
    this.pool = pool;
  }

  private void set(float[] logits, int logitso, int V, int Vp) {
    this.logits = logits;
    this.logitso = logitso;
    this.V = V;
    this.Vp = Vp;
  }

  // probs (N,Vp) = softmax over the first V columns of logits (N,Vp); columns V..Vp get 0
  void softmax(float[] probs, int probso, float[] logits, int logitso, int N, int V, int Vp) {
    set(logits, logitso, V, Vp);
    this.probs = probs;
    this.probso = probso;
    pool.forRange(N, 1, softmax);
  }

  private void softmaxRows(int n0, int n1) {
    for (int n = n0; n < n1; n++) {
      int l = logitso + n * Vp, p = probso + n * Vp;
      float max = RowOps.max(logits, l, V);
      float sum = RowOps.expShiftedSum(logits, l, max, probs, p, V);
      RowOps.scale(probs, p, 1f / sum, V);
      RowOps.fill(probs, p + V, Vp - V, 0f);
    }
  }

  // losses (N) = -log softmax(logits (N,Vp))[targets (N)]
  void crossEntropyForward(float[] losses, int losseso, float[] logits, int logitso, int[] targets, int N, int V,
      int Vp) {
    set(logits, logitso, V, Vp);
    setLosses(losses, losseso, targets);
    pool.forRange(N, 1, crossEntropy);
  }

  private void crossEntropyRows(int n0, int n1) {
    for (int n = n0; n < n1; n++) {
      int l = logitso + n * Vp;
      float max = RowOps.max(logits, l, V);
      float sum = RowOps.expShiftedSum(logits, l, max, V);
      losses[losseso + n] = (float) StrictMath.log(sum) - (logits[l + targets[n]] - max);
    }
  }

  // losses (N) as crossEntropyForward; logits (N,Vp) := (softmax - onehot(target)) * dlossScale, padding 0
  void crossEntropyForwardBackward(float[] losses, int losseso, float[] logits, int logitso, int[] targets,
      float dlossScale, int N, int V, int Vp) {
    set(logits, logitso, V, Vp);
    setLosses(losses, losseso, targets);
    this.dlossScale = dlossScale;
    pool.forRange(N, 1, crossEntropyBackward);
  }

  private void crossEntropyBackwardRows(int n0, int n1) {
    for (int n = n0; n < n1; n++) {
      int l = logitso + n * Vp;
      int target = targets[n];
      float max = RowOps.max(logits, l, V);
      float targetLogit = logits[l + target];
      float sum = RowOps.expShiftedSum(logits, l, max, logits, l, V); // logits now hold exp(x - max)
      losses[losseso + n] = (float) StrictMath.log(sum) - (targetLogit - max);
      RowOps.scale(logits, l, dlossScale / sum, V);
      logits[l + target] -= dlossScale;
      RowOps.fill(logits, l + V, Vp - V, 0f);
    }
  }

  private void setLosses(float[] losses, int losseso, int[] targets) {
    this.losses = losses;
    this.losseso = losseso;
    this.targets = targets;
  }
}
