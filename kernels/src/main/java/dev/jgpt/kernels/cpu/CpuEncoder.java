package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import jdk.incubator.vector.FloatVector;

/**
 * Token + position embedding. The backward pass is in gather form: each worker owns a range of
 * vocabulary rows of dwte and scans all tokens for its ids, and a range of positions of dwpe;
 * no two workers write one row and the summation order is fixed (by token position).
 *
 * <p>Small batches run on the calling thread: see {@link #MIN_ELEMENTS_PER_WORKER}.
 */
final class CpuEncoder {
  /**
   * Elements of (B,T,C) per worker below which the encoder runs on the calling thread. At the
   * nanoGPT CPU shape (768 x 128 = 98,304 elements, 49,152 per worker on 2 cores) a step spent
   * 0.20 ms in the forward split in two against 0.11 ms on one thread, and 0.31 against 0.13 ms
   * in the backward: the work is one add per element, less than moving the rows between cores
   * costs (each worker's dwte rows gather dout rows that the other core's layer norm just
   * wrote, and wte arrives modified from the other core's AdamW range). One thread gives the
   * same bits: rows are independent forward, and the backward adds in token order either way.
   */
  static final int MIN_ELEMENTS_PER_WORKER = 1 << 16;

  private final WorkerPool pool;
  private final Forward forward = new Forward();
  private final Backward backward = new Backward();

  CpuEncoder(WorkerPool pool) {
    this.pool = pool;
  }

  /** encoderForward's arguments, one record refilled per call: out (B,T,C), tokens (B,T), wte (V,C), wpe (maxT,C). */
  private static final class Forward {
    float[] out, wte, wpe;
    int outo, wteo, wpeo, T, C;
    int[] tokens;

    Forward set(float[] out, int outo, int[] tokens, float[] wte, int wteo, float[] wpe, int wpeo, int T, int C) {
      this.out = out;
      this.outo = outo;
      this.tokens = tokens;
      this.wte = wte;
      this.wteo = wteo;
      this.wpe = wpe;
      this.wpeo = wpeo;
      this.T = T;
      this.C = C;
      return this;
    }
  }

  // out (B,T,C) = wte[inp] + wpe[t]; inp (B,T)
  void forward(float[] out, int outo, int[] inp, float[] wte, int wteo, float[] wpe, int wpeo, int B, int T, int C) {
    int minRowsPerWorker = Math.max(1, MIN_ELEMENTS_PER_WORKER / C);
    pool.forRange(B * T, minRowsPerWorker, forward.set(out, outo, inp, wte, wteo, wpe, wpeo, T, C),
        CpuEncoder::forwardRows);
  }

  // positions [r0, r1) of the B*T
  private static void forwardRows(Forward a, int r0, int r1) {
    int C = a.C;
    for (int bt = r0; bt < r1; bt++) {
      addRows(a.out, a.outo + bt * C, a.wte, a.wteo + a.tokens[bt] * C, a.wpe, a.wpeo + (bt % a.T) * C, C);
    }
  }

  /** encoderBackward's arguments: dwte (V,C), dwpe (maxT,C), dout (B,T,C), tokens (B,T). */
  private static final class Backward {
    float[] dwte, dwpe, dout;
    int dwteo, dwpeo, douto, B, T, C, V;
    int[] tokens;

    Backward set(float[] dwte, int dwteo, float[] dwpe, int dwpeo, float[] dout, int douto, int[] tokens, int B, int T,
        int C, int V) {
      this.dwte = dwte;
      this.dwteo = dwteo;
      this.dwpe = dwpe;
      this.dwpeo = dwpeo;
      this.dout = dout;
      this.douto = douto;
      this.tokens = tokens;
      this.B = B;
      this.T = T;
      this.C = C;
      this.V = V;
      return this;
    }
  }

  // dwte (V,C) +=, dwpe (maxT,C) +=; dout (B,T,C), inp (B,T)
  void backward(float[] dwte, int dwteo, float[] dwpe, int dwpeo, float[] dout, int douto, int[] inp, int B, int T,
      int C, int V) {
    Backward args = backward.set(dwte, dwteo, dwpe, dwpeo, dout, douto, inp, B, T, C, V);
    if ((long) B * T * C < 2L * MIN_ELEMENTS_PER_WORKER) {
      backwardPart(args, 0, 1);
    } else {
      pool.run(args, CpuEncoder::backwardPart);
    }
  }

  // worker w of ws: its vocabulary rows of dwte and its positions of dwpe
  private static void backwardPart(Backward a, int w, int ws) {
    float[] dout = a.dout, dwte = a.dwte, dwpe = a.dwpe;
    int[] tokens = a.tokens;
    int douto = a.douto, dwteo = a.dwteo, dwpeo = a.dwpeo, B = a.B, T = a.T, C = a.C;
    int v0 = WorkerPool.split(a.V, w, ws), v1 = WorkerPool.split(a.V, w + 1, ws);
    for (int bt = 0; bt < B * T; bt++) {
      int token = tokens[bt];
      if (token >= v0 && token < v1) accumulateRow(dwte, dwteo + token * C, dout, douto + bt * C, C);
    }
    int t1 = WorkerPool.split(T, w + 1, ws);
    for (int t = WorkerPool.split(T, w, ws); t < t1; t++) {
      for (int b = 0; b < B; b++) accumulateRow(dwpe, dwpeo + t * C, dout, douto + (b * T + t) * C, C);
    }
  }

  // out (C) = a (C) + b (C)
  static void addRows(float[] out, int oo, float[] a, int ao, float[] b, int bo, int C) {
    int c = 0;
    for (; c + L <= C; c += L) {
      FloatVector.fromArray(S, a, ao + c).add(FloatVector.fromArray(S, b, bo + c)).intoArray(out, oo + c);
    }
    for (; c < C; c++) out[oo + c] = a[ao + c] + b[bo + c];
  }

  // dst (C) += src (C)
  private static void accumulateRow(float[] dst, int d, float[] src, int s, int C) {
    addRows(dst, d, dst, d, src, s, C);
  }
}
