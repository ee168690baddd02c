package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import dev.jgpt.kernels.ReferenceKernels;
import jdk.incubator.vector.FloatVector;

/**
 * Layer norm on all cores. Forward and the input gradient split rows between workers; the
 * weight and bias gradients are column sums over all rows, so they split columns: each worker
 * owns a range of dweight/dbias and scans every row (gather form, no atomics, the same
 * summation order for every thread count). The two backward passes read only the op's inputs,
 * never each other's results, so one fork runs both: a part does its rows, then its columns.
 */
final class CpuLayernorm {
  /** Rows per worker below which a fork costs more than it saves. */
  private static final int MIN_ROWS = 8;

  private final WorkerPool pool;
  private final Forward forward = new Forward();
  private final Backward backward = new Backward();

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
   * its offset.
   */
  private static final class Backward {
    float[] dinp, dweight, dbias, dout, inp, weight, mean, rstd;
    int dinpo, dweighto, dbiaso, douto, inpo, weighto, meano, rstdo, N, C;
    boolean splitRows, splitColumns; // whether each pass is shared between workers or done by part 0

    Backward set(float[] dinp, int dinpo, float[] dweight, int dweighto, float[] dbias, int dbiaso, float[] dout,
        int douto, float[] inp, int inpo, float[] weight, int weighto, float[] mean, int meano, float[] rstd, int rstdo,
        int N, int C) {
      this.dinp = dinp;
      this.dinpo = dinpo;
      this.dweight = dweight;
      this.dweighto = dweighto;
      this.dbias = dbias;
      this.dbiaso = dbiaso;
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
      this.N = N;
      this.C = C;
      return this;
    }
  }

  // dinp (N,C) +=, dweight (C) +=, dbias (C) += or null; dout (N,C), inp (N,C), weight (C), mean (N), rstd (N)
  void backward(float[] dinp, int dinpo, float[] dweight, int dweighto, float[] dbias, int dbiaso, float[] dout,
      int douto, float[] inp, int inpo, float[] weight, int weighto, float[] mean, int meano, float[] rstd, int rstdo,
      int N, int C) {
    Backward args = backward.set(dinp, dinpo, dweight, dweighto, dbias, dbiaso, dout, douto, inp, inpo, weight,
        weighto, mean, meano, rstd, rstdo, N, C);
    args.splitRows = N >= 2 * MIN_ROWS;
    args.splitColumns = columnVectors(C) >= 2 * MIN_COLUMN_VECTORS;
    if (args.splitRows || args.splitColumns) {
      pool.run(args, CpuLayernorm::backwardPart);
    } else {
      backwardPart(args, 0, 1);
    }
  }

  /** Whole vectors per worker, at least, in the weight and bias gradient pass (else one worker does it all). */
  private static final int MIN_COLUMN_VECTORS = 4;

  // vectors of L columns in a row of C, the last maybe partial
  private static int columnVectors(int C) {
    return (C + L - 1) / L;
  }

  /**
   * Part w of ws: its rows of dinp, then its columns of dweight and dbias; a pass too small to
   * split is done whole by part 0. Columns go in whole vectors per part, so only the last range
   * has a scalar tail.
   */
  private static void backwardPart(Backward a, int w, int ws) {
    int rowParts = a.splitRows ? ws : 1, columnParts = a.splitColumns ? ws : 1;
    if (w < rowParts) {
      inputGradientRows(a, WorkerPool.split(a.N, w, rowParts), WorkerPool.split(a.N, w + 1, rowParts));
    }
    if (w < columnParts) {
      int vectors = columnVectors(a.C);
      int c0 = WorkerPool.split(vectors, w, columnParts) * L;
      int c1 = Math.min(a.C, WorkerPool.split(vectors, w + 1, columnParts) * L);
      if (c0 < c1) paramGradientColumns(a, c0, c1);
    }
  }

  // rows [n0, n1) of dinp
  private static void inputGradientRows(Backward a, int n0, int n1) {
    float[] mean = a.mean, rstd = a.rstd;
    int C = a.C;
    for (int n = n0; n < n1; n++) {
      inputGradientRow(a.dinp, a.dinpo + n * C, a.dout, a.douto + n * C, a.inp, a.inpo + n * C, a.weight, a.weighto,
          mean[a.meano + n], rstd[a.rstdo + n], C);
    }
  }

  /**
   * Rows per block of the weight and bias gradient pass: a block's dout and inp rows (2 * 64 * C
   * floats, 64 KB at C = 128) stay in cache while every column vector of the worker's range sums
   * over them in a register.
   */
  private static final int GRADIENT_ROW_BLOCK = 64;

  // columns [c0, c1) of dweight and dbias, summed over all rows in row order
  private static void paramGradientColumns(Backward a, int c0, int c1) {
    for (int n0 = 0; n0 < a.N; n0 += GRADIENT_ROW_BLOCK) {
      paramGradientBlock(a, n0, Math.min(a.N, n0 + GRADIENT_ROW_BLOCK), c0, c1);
    }
  }

  /**
   * dweight[c0..c1) += sum of norm * dout, dbias[c0..c1) += sum of dout over rows [n0, n1). Each
   * column's sum stays in a register across the rows and is stored once per block: the same
   * additions in the same row order as a store per row (bit for bit), without a load and a store
   * of dweight and dbias per row, which also kept the cache line at the boundary of two workers'
   * column ranges moving between cores on every row.
   */
  private static void paramGradientBlock(Backward a, int n0, int n1, int c0, int c1) {
    float[] dweight = a.dweight, dbias = a.dbias, dout = a.dout, inp = a.inp, mean = a.mean, rstd = a.rstd;
    int C = a.C, dwo = a.dweighto, dbo = a.dbiaso;
    int c = c0;
    for (; c + L <= c1; c += L) {
      FloatVector dw = FloatVector.fromArray(S, dweight, dwo + c);
      FloatVector db = dbias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, dbias, dbo + c);
      for (int n = n0; n < n1; n++) {
        FloatVector g = FloatVector.fromArray(S, dout, a.douto + n * C + c);
        FloatVector norm = FloatVector.fromArray(S, inp, a.inpo + n * C + c)
            .sub(FloatVector.broadcast(S, mean[a.meano + n])).mul(FloatVector.broadcast(S, rstd[a.rstdo + n]));
        dw = norm.fma(g, dw);
        db = g.add(db); // the fresh vector is the receiver (known receiver, see Vec)
      }
      FloatVector negativeZero = FloatVector.broadcast(S, -0f); // -0 + x = x: stored through known receivers
      negativeZero.add(dw).intoArray(dweight, dwo + c);
      if (dbias != null) negativeZero.add(db).intoArray(dbias, dbo + c);
    }
    for (; c < c1; c++) {
      float dw = dweight[dwo + c], db = dbias == null ? 0f : dbias[dbo + c];
      for (int n = n0; n < n1; n++) {
        float g = dout[a.douto + n * C + c];
        float norm = (inp[a.inpo + n * C + c] - mean[a.meano + n]) * rstd[a.rstdo + n];
        dw += norm * g;
        db += g;
      }
      dweight[dwo + c] = dw;
      if (dbias != null) dbias[dbo + c] = db;
    }
  }

  // dinp (C) += (w*dout - mean(w*dout) - norm * mean(w*dout*norm)) * rstd for one row
  private static void inputGradientRow(float[] dinp, int di, float[] dout, int d, float[] inp, int x, float[] weight,
      int wo, float m, float s, int C) {
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
      FloatVector dnorm = FloatVector.fromArray(S, weight, wo + c).mul(FloatVector.fromArray(S, dout, d + c));
      FloatVector g = dnorm.sub(vMean).sub(norm.mul(vNormMean)).mul(vs);
      g.add(FloatVector.fromArray(S, dinp, di + c)).intoArray(dinp, di + c);
    }
    for (; c < C; c++) {
      float norm = (inp[x + c] - m) * s;
      float dnorm = weight[wo + c] * dout[d + c];
      dinp[di + c] += (dnorm - dnormMean - norm * dnormNormMean) * s;
    }
  }
}
