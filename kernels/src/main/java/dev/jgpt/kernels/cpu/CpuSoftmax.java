package dev.jgpt.kernels.cpu;

/**
 * Softmax and the fused softmax + cross-entropy over rows of logits, rows split between
 * workers. The fused kernel makes three passes over a row (max; exp stored in place and
 * summed; scale and subtract the target) and never keeps probabilities elsewhere. Losses use
 * StrictMath.log: the same bits whether or not the JIT has compiled the loop.
 *
 * <p>Arguments travel in one reused record per op kind ({@link Softmax}, {@link CrossEntropy})
 * to static range bodies (no allocation per call; see {@link CpuPointwise}).
 */
final class CpuSoftmax {
  private final WorkerPool pool;
  private final Softmax softmax = new Softmax();
  private final CrossEntropy crossEntropy = new CrossEntropy();

  CpuSoftmax(WorkerPool pool) {
    this.pool = pool;
  }

  /** softmaxForward's arguments: probs (N,Vp) and logits (N,Vp) with their offsets, V real columns. */
  private static final class Softmax {
    float[] probs, logits;
    int probso, logitso, V, Vp;

    Softmax set(float[] probs, int probso, float[] logits, int logitso, int V, int Vp) {
      this.probs = probs;
      this.probso = probso;
      this.logits = logits;
      this.logitso = logitso;
      this.V = V;
      this.Vp = Vp;
      return this;
    }
  }

  /**
   * The cross-entropy ops' arguments: losses (N), logits (N,Vp) with their offsets, targets (N),
   * V real columns, and dlossScale (the fused backward only).
   */
  private static final class CrossEntropy {
    float[] losses, logits;
    int losseso, logitso, V, Vp;
    int[] targets;
    float dlossScale;

    CrossEntropy set(float[] losses, int losseso, float[] logits, int logitso, int[] targets, float dlossScale, int V,
        int Vp) {
      this.losses = losses;
      this.losseso = losseso;
      this.logits = logits;
      this.logitso = logitso;
      this.targets = targets;
      this.dlossScale = dlossScale;
      this.V = V;
      this.Vp = Vp;
      return this;
    }
  }

  // probs (N,Vp) = softmax over the first V columns of logits (N,Vp); columns V..Vp get 0
  void softmax(float[] probs, int probso, float[] logits, int logitso, int N, int V, int Vp) {
    pool.forRange(N, 1, softmax.set(probs, probso, logits, logitso, V, Vp), CpuSoftmax::softmaxRows);
  }

  private static void softmaxRows(Softmax a, int n0, int n1) {
    float[] logits = a.logits, probs = a.probs;
    int V = a.V, Vp = a.Vp;
    for (int n = n0; n < n1; n++) {
      int l = a.logitso + n * Vp, p = a.probso + n * Vp;
      float max = RowOps.max(logits, l, V);
      float sum = RowOps.expShiftedSum(logits, l, max, probs, p, V);
      RowOps.scale(probs, p, 1f / sum, V);
      RowOps.fill(probs, p + V, Vp - V, 0f);
    }
  }

  // losses (N) = -log softmax(logits (N,Vp))[targets (N)]
  void crossEntropyForward(float[] losses, int losseso, float[] logits, int logitso, int[] targets, int N, int V,
      int Vp) {
    pool.forRange(N, 1, crossEntropy.set(losses, losseso, logits, logitso, targets, 0f, V, Vp),
        CpuSoftmax::crossEntropyRows);
  }

  private static void crossEntropyRows(CrossEntropy a, int n0, int n1) {
    float[] logits = a.logits, losses = a.losses;
    int[] targets = a.targets;
    int V = a.V, Vp = a.Vp;
    for (int n = n0; n < n1; n++) {
      int l = a.logitso + n * Vp;
      float max = RowOps.max(logits, l, V);
      float sum = RowOps.expShiftedSum(logits, l, max, V);
      losses[a.losseso + n] = (float) StrictMath.log(sum) - (logits[l + targets[n]] - max);
    }
  }

  // losses (N) as crossEntropyForward; logits (N,Vp) := (softmax - onehot(target)) * dlossScale, padding 0
  void crossEntropyForwardBackward(float[] losses, int losseso, float[] logits, int logitso, int[] targets,
      float dlossScale, int N, int V, int Vp) {
    pool.forRange(N, 1, crossEntropy.set(losses, losseso, logits, logitso, targets, dlossScale, V, Vp),
        CpuSoftmax::crossEntropyBackwardRows);
  }

  private static void crossEntropyBackwardRows(CrossEntropy a, int n0, int n1) {
    float[] logits = a.logits, losses = a.losses;
    int[] targets = a.targets;
    int V = a.V, Vp = a.Vp;
    float dlossScale = a.dlossScale;
    for (int n = n0; n < n1; n++) {
      int l = a.logitso + n * Vp;
      int target = targets[n];
      float max = RowOps.max(logits, l, V);
      float targetLogit = logits[l + target];
      float sum = RowOps.expShiftedSum(logits, l, max, logits, l, V); // logits now hold exp(x - max)
      losses[a.losseso + n] = (float) StrictMath.log(sum) - (targetLogit - max);
      RowOps.scale(logits, l, dlossScale / sum, V);
      logits[l + target] -= dlossScale;
      RowOps.fill(logits, l + V, Vp - V, 0f);
    }
  }
}
