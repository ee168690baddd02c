package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import jdk.incubator.vector.FloatVector;

/**
 * Token + position embedding. The backward pass is in gather form: each worker owns a range of
 * vocabulary rows of dwte and scans all tokens for its ids, and a range of positions of dwpe;
 * no two workers write one row and the summation order is fixed (by token position).
 */
final class CpuEncoder {
  private final WorkerPool pool;
  // Arguments of the running op (fields, so a call allocates nothing; see CpuPointwise):
  // acts = out or dout (B,T,C), wte or dwte (V,C), wpe or dwpe (maxT,C), tokens (B,T).
  private float[] acts, wte, wpe;
  private int actso, wteo, wpeo;
  private int[] tokens;
  private int B, T, C, V;
  private final WorkerPool.Range forward = this::forwardRows;
  private final WorkerPool.Task backward = this::backwardPart;

  CpuEncoder(WorkerPool pool) {
    this.pool = pool;
  }

  private void set(float[] acts, int actso, int[] tokens, float[] wte, int wteo, float[] wpe, int wpeo, int B, int T,
      int C) {
    this.acts = acts;
    this.actso = actso;
    this.tokens = tokens;
    this.wte = wte;
    this.wteo = wteo;
    this.wpe = wpe;
    this.wpeo = wpeo;
    this.B = B;
    this.T = T;
    this.C = C;
  }

  // out (B,T,C) = wte[inp] + wpe[t]; inp (B,T)
  void forward(float[] out, int outo, int[] inp, float[] wte, int wteo, float[] wpe, int wpeo, int B, int T, int C) {
    set(out, outo, inp, wte, wteo, wpe, wpeo, B, T, C);
    pool.forRange(B * T, 8, forward);
  }

  private void forwardRows(int r0, int r1) {
    for (int bt = r0; bt < r1; bt++) {
      addRows(acts, actso + bt * C, wte, wteo + tokens[bt] * C, wpe, wpeo + (bt % T) * C, C);
    }
  }

  // dwte (V,C) +=, dwpe (maxT,C) +=; dout (B,T,C), inp (B,T)
  void backward(float[] dwte, int dwteo, float[] dwpe, int dwpeo, float[] dout, int douto, int[] inp, int B, int T,
      int C, int V) {
    set(dout, douto, inp, dwte, dwteo, dwpe, dwpeo, B, T, C);
    this.V = V;
    pool.run(backward);
  }

  // worker w of ws: its vocabulary rows of dwte and its positions of dwpe
  private void backwardPart(int w, int ws) {
    float[] dout = acts, dwte = wte, dwpe = wpe;
    int douto = actso, dwteo = wteo, dwpeo = wpeo;
    int v0 = WorkerPool.split(V, w, ws), v1 = WorkerPool.split(V, w + 1, ws);
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
