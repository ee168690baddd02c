package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import dev.jgpt.kernels.FixedPointSquares;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Global gradient norm and AdamW over flat parameter ranges, on all cores. */
final class CpuOptimizer {
  /**
   * The norm is summed in fixed chunks, each and their total on integers (FixedPointSquares), so
   * its value depends neither on the thread count nor on the backend: the TornadoVM kernels get
   * the same float.
   */
  static final int NORM_CHUNK = FixedPointSquares.CHUNK;

  private final WorkerPool pool;
  private final Norm norm = new Norm();
  private final AdamW adamw = new AdamW();

  CpuOptimizer(WorkerPool pool) {
    this.pool = pool;
  }

  /** sumOfSquares' arguments: grads (N) from offset go; chunkSums (chunks) receives one sum per chunk, grown once. */
  private static final class Norm {
    float[] grads;
    int go, N, chunks;
    float[] chunkSums = new float[0];

    Norm set(float[] grads, int go, int N) {
      this.grads = grads;
      this.go = go;
      this.N = N;
      this.chunks = FixedPointSquares.chunks(N);
      if (chunkSums.length < chunks) chunkSums = new float[chunks];
      return this;
    }
  }

  // returns sum of grads (N)^2
  double sumOfSquares(float[] grads, int gradso, int N) {
    Norm args = norm.set(grads, gradso, N);
    pool.forRange(args.chunks, 4, args, CpuOptimizer::chunkRange);
    return FixedPointSquares.sum(args.chunkSums, 0, args.chunks);
  }

  // chunkSums[c0..c1) = squares of grads chunk by chunk
  private static void chunkRange(Norm a, int c0, int c1) {
    for (int c = c0; c < c1; c++) {
      int from = c * NORM_CHUNK, to = Math.min(a.N, from + NORM_CHUNK);
      a.chunkSums[c] = VectorSquares.chunkSquares(a.grads, a.go + from, to - from);
    }
  }

  /**
   * adamw's arguments, one record refilled per call: params, grads, m, v (N) with their offsets,
   * this step's lr and clip factor, the hyperparameters and the bias corrections 1 - beta^t;
   * whether to clear each gradient once read.
   */
  private static final class AdamW {
    float[] params, grads, m, v;
    int po, go, mo, vo;
    float lr, clip, beta1, beta2, eps, weightDecay, beta1Correction, beta2Correction;
    boolean clearGrads;

    AdamW set(float[] params, int po, float[] grads, int go, float[] m, int mo, float[] v, int vo, float lr, float t,
        float clip, float beta1, float beta2, float eps, float weightDecay, boolean clearGrads) {
      this.params = params;
      this.po = po;
      this.grads = grads;
      this.go = go;
      this.m = m;
      this.mo = mo;
      this.v = v;
      this.vo = vo;
      this.lr = lr;
      this.clip = clip;
      this.beta1 = beta1;
      this.beta2 = beta2;
      this.eps = eps;
      this.weightDecay = weightDecay;
      this.beta1Correction = (float) (1.0 - StrictMath.pow(beta1, t));
      this.beta2Correction = (float) (1.0 - StrictMath.pow(beta2, t));
      this.clearGrads = clearGrads;
      return this;
    }
  }

  // params, grads, m, v (N); lr, t and the clip factor from the step scalars; then grads = 0 where clearGrads
  void adamw(float[] params, int po, float[] grads, int go, float[] m, int mo, float[] v, int vo, float lr, float t,
      float clip, float beta1, float beta2, float eps, float weightDecay, int N, boolean clearGrads) {
    pool.forAlignedRange(N, Vec.L, CpuPointwise.MIN_ELEMENTS,
        adamw.set(params, po, grads, go, m, mo, v, vo, lr, t, clip, beta1, beta2, eps, weightDecay, clearGrads),
        CpuOptimizer::adamwRange);
  }

  private static void adamwRange(AdamW a, int i0, int i1) {
    float[] params = a.params, grads = a.grads, m = a.m, v = a.v;
    int po = a.po, go = a.go, mo = a.mo, vo = a.vo;
    float lr = a.lr, clip = a.clip, beta1 = a.beta1, beta2 = a.beta2, eps = a.eps;
    float weightDecay = a.weightDecay, beta1Correction = a.beta1Correction, beta2Correction = a.beta2Correction;
    float beta1Complement = 1f - beta1, beta2Complement = 1f - beta2;
    boolean clearGrads = a.clearGrads; // the same for a whole call: C2 unswitches the loop on it
    int i = i0;
    // Every receiver is a vector loaded in this step, the constants its scalar arguments (beta1 m
    // written m beta1, the same bits): no vector is made before the loop, where a compilation
    // entered mid-loop (OSR) would not know its class (known receiver, see Vec).
    for (; i + L <= i1; i += L) {
      FloatVector g = FloatVector.fromArray(S, grads, go + i).mul(clip);
      if (clearGrads) FloatVector.zero(S).intoArray(grads, go + i);
      FloatVector mi = FloatVector.fromArray(S, m, mo + i).mul(beta1).add(g.mul(beta1Complement));
      FloatVector vi = FloatVector.fromArray(S, v, vo + i).mul(beta2).add(g.mul(beta2Complement).mul(g));
      mi.intoArray(m, mo + i);
      vi.intoArray(v, vo + i);
      FloatVector mhat = mi.div(beta1Correction), vhat = vi.div(beta2Correction);
      FloatVector p = FloatVector.fromArray(S, params, po + i);
      FloatVector step = mhat.div(vhat.lanewise(VectorOperators.SQRT).add(eps)).add(p.mul(weightDecay));
      p.sub(step.mul(lr)).intoArray(params, po + i);
    }
    for (; i < i1; i++) {
      float g = grads[go + i] * clip;
      if (clearGrads) grads[go + i] = 0f;
      float mi = beta1 * m[mo + i] + (1f - beta1) * g;
      float vi = beta2 * v[vo + i] + (1f - beta2) * g * g;
      m[mo + i] = mi;
      v[vo + i] = vi;
      float mhat = mi / beta1Correction, vhat = vi / beta2Correction;
      params[po + i] -= lr * (mhat / ((float) Math.sqrt(vhat) + eps) + weightDecay * params[po + i]);
    }
  }
}
