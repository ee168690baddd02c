package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import dev.jgpt.kernels.ReferenceKernels;
import jdk.incubator.vector.FloatVector;

/**
 * Layer norm on all cores. Forward and backward split rows between workers. The weight and bias
 * gradients are column sums over all rows: each block of {@link #rowBlock} rows sums into a
 * partial of its own while its rows are in cache for the input gradient, and the partials are
 * added to dweight and dbias after the fork, in block order. Blocks depend only on N, so every
 * thread count sums in the same order (no atomics), and each worker reads only its own rows:
 * those the ops before and after it computed on the same core.
 */
final class CpuLayernorm {
  /** Rows per worker below which a fork costs more than it saves. */
  private static final int MIN_ROWS = 8;

  private final WorkerPool pool;
  private final Forward forward = new Forward();
  private final Backward backward = new Backward();
  /** (blocks, C) each row block's partial dweight and dbias sums; grows to the largest N*C seen. */
  private float[] partialWeight = new float[0], partialBias = new float[0];

  CpuLayernorm(WorkerPool pool) {
    this.pool = pool;
  }

  /**
   * layernormForward's arguments, one record refilled per call (so a call allocates nothing):
   * out (N,C), mean (N), rstd (N); inp (N,C), weight (C), bias (C) or null; each array with its
   * offset.
   */
  private static final class Forward {
    float[] out, mean, rstd, inp, weight, bias;
    int outo, meano, rstdo, inpo, weighto, biaso, C;

    Forward set(float[] out, int outo, float[] mean, int meano, float[] rstd, int rstdo, float[] inp, int inpo,
        float[] weight, int weighto, float[] bias, int biaso, int C) {
      this.out = out;
      this.outo = outo;
      this.mean = mean;
      this.meano = meano;
      this.rstd = rstd;
      this.rstdo = rstdo;
      this.inp = inp;
      this.inpo = inpo;
      this.weight = weight;
      this.weighto = weighto;
      this.bias = bias;
      this.biaso = biaso;
      this.C = C;
      return this;
    }
  }

  // out (N,C), mean (N), rstd (N); inp (N,C), weight (C), bias (C) or null
  void forward(float[] out, int outo, float[] mean, int meano, float[] rstd, int rstdo, float[] inp, int inpo,
      float[] weight, int weighto, float[] bias, int biaso, int N, int C) {
    pool.forRange(N, MIN_ROWS, forward.set(out, outo, mean, meano, rstd, rstdo, inp, inpo, weight, weighto, bias, biaso,
        C), CpuLayernorm::forwardRows);
  }

  // rows [n0, n1) of the forward pass, two at a time
  private static void forwardRows(Forward a, int n0, int n1) {
    int n = n0;
    for (; n + 1 < n1; n += 2) forwardRowPair(a, n);
    if (n < n1) forwardRow(a, n);
  }

  // row n of the forward pass
  private static void forwardRow(Forward a, int n) {
    float[] inp = a.inp;
    int C = a.C, x = a.inpo + n * C;
    float m = RowOps.sum(inp, x, C) / C;
    float var = squaredDeviations(inp, x, m, C) / C;
    finishRow(a, n, m, var);
  }

  /**
   * Rows n and n + 1 of the forward pass: each row's operations exactly as {@link #forwardRow},
   * the two rows' chains interleaved. A row's mean and variance are two reductions in a row, each
   * ending in a fixed-order lane sum, and the variance waits for the mean: one row at a time
   * leaves the core waiting on those latencies (the row statistics took 1.6x as long).
   */
  private static void forwardRowPair(Forward a, int n) {
    float[] inp = a.inp;
    int C = a.C, x0 = a.inpo + n * C, x1 = x0 + C;
    FloatVector sum0 = FloatVector.zero(S), sum1 = sum0;
    int c = 0;
    for (; c + L <= C; c += L) {
      // the fresh vector is the receiver (known receiver, see Vec)
      sum0 = FloatVector.fromArray(S, inp, x0 + c).add(sum0);
      sum1 = FloatVector.fromArray(S, inp, x1 + c).add(sum1);
    }
    float s0 = Vec.sumLanes(sum0), s1 = Vec.sumLanes(sum1);
    for (int i = c; i < C; i++) {
      s0 += inp[x0 + i];
      s1 += inp[x1 + i];
    }
    float m0 = s0 / C, m1 = s1 / C;
    FloatVector vm0 = FloatVector.broadcast(S, m0), vm1 = FloatVector.broadcast(S, m1);
    FloatVector sq0 = FloatVector.zero(S), sq1 = sq0;
    for (c = 0; c + L <= C; c += L) {
      FloatVector d0 = FloatVector.fromArray(S, inp, x0 + c).sub(vm0);
      FloatVector d1 = FloatVector.fromArray(S, inp, x1 + c).sub(vm1);
      sq0 = d0.fma(d0, sq0);
      sq1 = d1.fma(d1, sq1);
    }
    float q0 = Vec.sumLanes(sq0), q1 = Vec.sumLanes(sq1);
    for (int i = c; i < C; i++) {
      q0 += (inp[x0 + i] - m0) * (inp[x0 + i] - m0);
      q1 += (inp[x1 + i] - m1) * (inp[x1 + i] - m1);
    }
    finishRow(a, n, m0, q0 / C);
    finishRow(a, n + 1, m1, q1 / C);
  }

  // row n from its mean and variance: rstd, the normalized row, both statistics stored
  private static void finishRow(Forward a, int n, float m, float var) {
    int C = a.C;
    float s = (float) (1.0 / Math.sqrt(var + ReferenceKernels.LAYERNORM_EPS));
    normalizeRow(a.out, a.outo + n * C, a.inp, a.inpo + n * C, m, s, a.weight, a.weighto, a.bias, a.biaso, C);
    a.mean[a.meano + n] = m;
    a.rstd[a.rstdo + n] = s;
  }

  // sum of (x (n) - m)^2
  private static float squaredDeviations(float[] x, int xo, float m, int n) {
    FloatVector vm = FloatVector.broadcast(S, m);
    FloatVector acc = FloatVector.zero(S);
    int i = 0;
    for (; i + L <= n; i += L) {
      FloatVector d = FloatVector.fromArray(S, x, xo + i).sub(vm);
      acc = d.fma(d, acc);
    }
    float s = Vec.sumLanes(acc);
    for (; i < n; i++) s += (x[xo + i] - m) * (x[xo + i] - m);
    return s;
  }

  // out (C) = (x - m) * s * weight + bias
  private static void normalizeRow(float[] out, int oo, float[] x, int xo, float m, float s, float[] weight,
      int weighto, float[] bias, int biaso, int C) {
    FloatVector vm = FloatVector.broadcast(S, m), vs = FloatVector.broadcast(S, s);
    int c = 0;
    for (; c + L <= C; c += L) {
      FloatVector norm = FloatVector.fromArray(S, x, xo + c).sub(vm).mul(vs);
      FloatVector b = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, biaso + c);
      norm.fma(FloatVector.fromArray(S, weight, weighto + c), b).intoArray(out, oo + c);
    }
    for (; c < C; c++) {
      float norm = (x[xo + c] - m) * s;
      out[oo + c] = norm * weight[weighto + c] + (bias == null ? 0f : bias[biaso + c]);
    }
  }

  /**
   * layernormBackward's arguments, one record refilled per call: dinp (N,C), dweight (C),
   * dbias (C) or null; dout (N,C), inp (N,C), weight (C), mean (N), rstd (N); each array with
   * its offset; partialWeight and partialBias (blocks, C) (partialBias null without dbias).
   */
  private static final class Backward {
    float[] dinp, dout, inp, weight, mean, rstd, partialWeight, partialBias;
    int dinpo, douto, inpo, weighto, meano, rstdo, N, C, rows;

    Backward set(float[] dinp, int dinpo, float[] dout, int douto, float[] inp, int inpo, float[] weight, int weighto,
        float[] mean, int meano, float[] rstd, int rstdo, float[] partialWeight, float[] partialBias, int N, int C) {
      this.dinp = dinp;
      this.dinpo = dinpo;
      this.dout = dout;
      this.douto = douto;
      this.inp = inp;
      this.inpo = inpo;
      this.weight = weight;
      this.weighto = weighto;
      this.mean = mean;
      this.meano = meano;
      this.rstd = rstd;
      this.rstdo = rstdo;
      this.partialWeight = partialWeight;
      this.partialBias = partialBias;
      this.N = N;
      this.C = C;
      this.rows = rowBlock(N);
      return this;
    }
  }

  /** Rows per block of the weight and bias gradient sums: 64, fewer where N is small (so that small batches still split). */
  static int rowBlock(int N) {
    return Math.max(MIN_ROWS, Math.min(64, N / 8));
  }

  /** Floats of partial sums the backward pass keeps for N rows of C. */
  static long scratchFloats(int N, int C) {
    return 2L * Math.ceilDiv(N, rowBlock(N)) * C;
  }

  // dinp (N,C) +=, dweight (C) +=, dbias (C) += or null; dout (N,C), inp (N,C), weight (C), mean (N), rstd (N)
  void backward(float[] dinp, int dinpo, float[] dweight, int dweighto, float[] dbias, int dbiaso, float[] dout,
      int douto, float[] inp, int inpo, float[] weight, int weighto, float[] mean, int meano, float[] rstd, int rstdo,
      int N, int C) {
    int blocks = Math.ceilDiv(N, rowBlock(N));
    long size = (long) blocks * C;
    partialWeight = CpuMatmul.grow(partialWeight, size);
    if (dbias != null) partialBias = CpuMatmul.grow(partialBias, size);
    Backward args = backward.set(dinp, dinpo, dout, douto, inp, inpo, weight, weighto, mean, meano, rstd, rstdo,
        partialWeight, dbias == null ? null : partialBias, N, C);
    try {
      pool.forRange(blocks, 1, args, CpuLayernorm::backwardBlocks);
    } finally {
      backward.set(null, 0, null, 0, null, 0, null, 0, null, 0, null, 0, null, null, 0, 0);
    }
    addPartials(dweight, dweighto, partialWeight, blocks, C);
    if (dbias != null) addPartials(dbias, dbiaso, partialBias, blocks, C);
  }

  // row blocks [b0, b1): each block's rows of dinp, and its partial sums of the weight and bias gradients
  private static void backwardBlocks(Backward a, int b0, int b1) {
    int C = a.C;
    for (int b = b0; b < b1; b++) {
      int po = b * C;
      java.util.Arrays.fill(a.partialWeight, po, po + C, 0f);
      if (a.partialBias != null) java.util.Arrays.fill(a.partialBias, po, po + C, 0f);
      int n = b * a.rows, n1 = Math.min(a.N, n + a.rows);
      for (; n + 1 < n1; n += 2) {
        inputGradientRowPair(a.dinp, a.dinpo + n * C, a.dout, a.douto + n * C, a.inp, a.inpo + n * C, a.weight,
            a.weighto, a.mean[a.meano + n], a.rstd[a.rstdo + n], a.mean[a.meano + n + 1], a.rstd[a.rstdo + n + 1], C,
            a.partialWeight, a.partialBias, po);
      }
      if (n < n1) {
        inputGradientRow(a.dinp, a.dinpo + n * C, a.dout, a.douto + n * C, a.inp, a.inpo + n * C, a.weight, a.weighto,
            a.mean[a.meano + n], a.rstd[a.rstdo + n], C, a.partialWeight, a.partialBias, po);
      }
    }
  }

  /**
   * Rows r and r + 1 (at di, d, x and C further on) as two calls of {@link #inputGradientRow},
   * each row's operations in the same order, the two rows' chains interleaved: one row's two
   * reductions, lane sums and divisions are a chain of latencies, which the other row's steps
   * fill (as forwardRowPair does in the forward pass). The partials take row r's terms, then r + 1's.
   */
  private static void inputGradientRowPair(float[] dinp, int di, float[] dout, int d, float[] inp, int x,
      float[] weight, int wo, float m0, float s0, float m1, float s1, int C, float[] pw, float[] pb, int po) {
    int di1 = di + C, d1 = d + C, x1 = x + C;
    FloatVector accMean0 = FloatVector.zero(S), accNormMean0 = accMean0, accMean1 = accMean0, accNormMean1 = accMean0;
    int c = 0;
    for (; c + L <= C; c += L) {
      FloatVector norm0 = FloatVector.fromArray(S, inp, x + c).sub(FloatVector.broadcast(S, m0))
          .mul(FloatVector.broadcast(S, s0));
      FloatVector norm1 = FloatVector.fromArray(S, inp, x1 + c).sub(FloatVector.broadcast(S, m1))
          .mul(FloatVector.broadcast(S, s1));
      FloatVector dnorm0 = FloatVector.fromArray(S, weight, wo + c).mul(FloatVector.fromArray(S, dout, d + c));
      FloatVector dnorm1 = FloatVector.fromArray(S, weight, wo + c).mul(FloatVector.fromArray(S, dout, d1 + c));
      accMean0 = dnorm0.add(accMean0); // fresh receivers (known receiver, see Vec)
      accMean1 = dnorm1.add(accMean1);
      accNormMean0 = dnorm0.fma(norm0, accNormMean0);
      accNormMean1 = dnorm1.fma(norm1, accNormMean1);
    }
    float dnormMean0 = Vec.sumLanes(accMean0), dnormMean1 = Vec.sumLanes(accMean1);
    float dnormNormMean0 = Vec.sumLanes(accNormMean0), dnormNormMean1 = Vec.sumLanes(accNormMean1);
    for (int i = c; i < C; i++) {
      float dnorm0 = weight[wo + i] * dout[d + i], dnorm1 = weight[wo + i] * dout[d1 + i];
      dnormMean0 += dnorm0;
      dnormMean1 += dnorm1;
      dnormNormMean0 += dnorm0 * ((inp[x + i] - m0) * s0);
      dnormNormMean1 += dnorm1 * ((inp[x1 + i] - m1) * s1);
    }
    dnormMean0 /= C;
    dnormMean1 /= C;
    dnormNormMean0 /= C;
    dnormNormMean1 /= C;
    c = 0;
    for (; c + L <= C; c += L) {
      FloatVector norm0 = FloatVector.fromArray(S, inp, x + c).sub(FloatVector.broadcast(S, m0))
          .mul(FloatVector.broadcast(S, s0));
      FloatVector norm1 = FloatVector.fromArray(S, inp, x1 + c).sub(FloatVector.broadcast(S, m1))
          .mul(FloatVector.broadcast(S, s1));
      FloatVector g0 = FloatVector.fromArray(S, dout, d + c), g1 = FloatVector.fromArray(S, dout, d1 + c);
      FloatVector dnorm0 = FloatVector.fromArray(S, weight, wo + c).mul(g0);
      FloatVector dnorm1 = FloatVector.fromArray(S, weight, wo + c).mul(g1);
      FloatVector grad0 = dnorm0.sub(FloatVector.broadcast(S, dnormMean0))
          .sub(norm0.mul(FloatVector.broadcast(S, dnormNormMean0))).mul(FloatVector.broadcast(S, s0));
      FloatVector grad1 = dnorm1.sub(FloatVector.broadcast(S, dnormMean1))
          .sub(norm1.mul(FloatVector.broadcast(S, dnormNormMean1))).mul(FloatVector.broadcast(S, s1));
      grad0.add(FloatVector.fromArray(S, dinp, di + c)).intoArray(dinp, di + c);
      grad1.add(FloatVector.fromArray(S, dinp, di1 + c)).intoArray(dinp, di1 + c);
      norm1.fma(g1, norm0.fma(g0, FloatVector.fromArray(S, pw, po + c))).intoArray(pw, po + c);
      if (pb != null) FloatVector.fromArray(S, pb, po + c).add(g0).add(g1).intoArray(pb, po + c);
    }
    for (; c < C; c++) {
      float norm0 = (inp[x + c] - m0) * s0, norm1 = (inp[x1 + c] - m1) * s1;
      float g0 = dout[d + c], g1 = dout[d1 + c];
      float dnorm0 = weight[wo + c] * g0, dnorm1 = weight[wo + c] * g1;
      dinp[di + c] += (dnorm0 - dnormMean0 - norm0 * dnormNormMean0) * s0;
      dinp[di1 + c] += (dnorm1 - dnormMean1 - norm1 * dnormNormMean1) * s1;
      pw[po + c] += norm0 * g0;
      pw[po + c] += norm1 * g1;
      if (pb != null) {
        pb[po + c] += g0;
        pb[po + c] += g1;
      }
    }
  }

  // sum (C) += partial (blocks, C) summed over blocks, in block order
  private static void addPartials(float[] sum, int so, float[] partial, int blocks, int C) {
    int c = 0;
    for (; c + L <= C; c += L) {
      FloatVector acc = FloatVector.fromArray(S, sum, so + c);
      for (int b = 0; b < blocks; b++) acc = FloatVector.fromArray(S, partial, b * C + c).add(acc); // fresh receiver (see Vec)
      FloatVector.broadcast(S, -0f).add(acc).intoArray(sum, so + c); // -0 + x = x: stored through a known receiver
    }
    for (; c < C; c++) {
      float acc = sum[so + c];
      for (int b = 0; b < blocks; b++) acc += partial[b * C + c];
      sum[so + c] = acc;
    }
  }

  /**
   * dinp (C) += (w*dout - mean(w*dout) - norm * mean(w*dout*norm)) * rstd for one row, and the
   * row's terms of the parameter gradients into its block's partials: pw[po..po+C) += norm * dout,
   * pb[po..po+C) += dout (pb null without a bias).
   */
  private static void inputGradientRow(float[] dinp, int di, float[] dout, int d, float[] inp, int x, float[] weight,
      int wo, float m, float s, int C, float[] pw, float[] pb, int po) {
    FloatVector vm = FloatVector.broadcast(S, m), vs = FloatVector.broadcast(S, s);
    FloatVector accMean = FloatVector.zero(S), accNormMean = FloatVector.zero(S);
    int c = 0;
    for (; c + L <= C; c += L) {
      FloatVector norm = FloatVector.fromArray(S, inp, x + c).sub(vm).mul(vs);
      FloatVector dnorm = FloatVector.fromArray(S, weight, wo + c).mul(FloatVector.fromArray(S, dout, d + c));
      accMean = dnorm.add(accMean); // the fresh vector is the receiver (known receiver, see Vec)
      accNormMean = dnorm.fma(norm, accNormMean);
    }
    float dnormMean = Vec.sumLanes(accMean);
    float dnormNormMean = Vec.sumLanes(accNormMean);
    for (int i = c; i < C; i++) {
      float norm = (inp[x + i] - m) * s;
      float dnorm = weight[wo + i] * dout[d + i];
      dnormMean += dnorm;
      dnormNormMean += dnorm * norm;
    }
    dnormMean /= C;
    dnormNormMean /= C;
    FloatVector vMean = FloatVector.broadcast(S, dnormMean), vNormMean = FloatVector.broadcast(S, dnormNormMean);
    c = 0;
    for (; c + L <= C; c += L) {
      FloatVector norm = FloatVector.fromArray(S, inp, x + c).sub(vm).mul(vs);
      FloatVector g = FloatVector.fromArray(S, dout, d + c);
      FloatVector dnorm = FloatVector.fromArray(S, weight, wo + c).mul(g);
      FloatVector grad = dnorm.sub(vMean).sub(norm.mul(vNormMean)).mul(vs);
      grad.add(FloatVector.fromArray(S, dinp, di + c)).intoArray(dinp, di + c);
      norm.fma(g, FloatVector.fromArray(S, pw, po + c)).intoArray(pw, po + c);
      if (pb != null) FloatVector.fromArray(S, pb, po + c).add(g).intoArray(pb, po + c);
    }
    for (; c < C; c++) {
      float norm = (inp[x + c] - m) * s;
      float g = dout[d + c];
      float dnorm = weight[wo + c] * g;
      dinp[di + c] += (dnorm - dnormMean - norm * dnormNormMean) * s;
      pw[po + c] += norm * g;
      if (pb != null) pb[po + c] += g;
    }
  }
}
