package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import jdk.incubator.vector.FloatVector;

/**
 * Matmul forward and backward on all cores: pack B once (in parallel by panel), then every
 * worker multiplies its own row tiles with {@link Gemm}. Backward is in gather form: dinp rows
 * and dweight rows are distinct output tiles, so no two threads write one element and no
 * atomics are needed. Packed-B scratch grows to the largest shape seen, then is reused.
 */
final class CpuMatmul {
  /** Up to this many rows the forward pass is a matrix-vector product: packing W would cost more. */
  static final int GEMV_MAX_ROWS = 4;

  private final WorkerPool pool;
  private final Gemm gemm;
  private float[] packedWeight = new float[0]; // forward: W^T panels; backward: W panels for dinp
  private float[] packedInput = new float[0]; // backward: inp panels for dweight
  /** The products of a call, refilled every time (no allocation per call). */
  private final Gemm.Product output = new Gemm.Product(), inputGrad = new Gemm.Product(),
      weightGrad = new Gemm.Product();
  private final Forward forward = new Forward();
  private final Backward backward = new Backward();
  /**
   * (threads) each part's own packed B operands: W^T (forward) or W (backward, for dinp), and
   * inp (backward, for dweight): all of it, or the part's own columns where dweight is split by
   * columns. Grown to the largest shape seen, like the shared ones.
   */
  private final float[][] partWeight, partInput;
  /** (threads) each part's copies of a call's products, refilled every call. */
  private final Gemm.Product[] partOutput, partInputGrad, partWeightGrad;
  private final Gemm.PartSetup packForwardPart = this::packForwardPart, packForwardColumns = this::packForwardColumns,
      packBackwardOwn = this::packBackwardOwn;

  CpuMatmul(WorkerPool pool) {
    this.pool = pool;
    this.gemm = new Gemm(pool);
    int w = pool.capacity();
    partWeight = new float[w][0];
    partInput = new float[w][0];
    partOutput = products(w);
    partInputGrad = products(w);
    partWeightGrad = products(w);
  }

  private static Gemm.Product[] products(int n) {
    Gemm.Product[] p = new Gemm.Product[n];
    for (int i = 0; i < n; i++) p[i] = new Gemm.Product();
    return p;
  }

  /**
   * A packed B operand up to this many floats (4 MB) is packed by every part for itself rather
   * than once in a fork of its own: the parts then read only panels in their own core's cache.
   * Measured at 2 threads on Zen 5 (nanoGPT shapes): the shared pack ran slower than one
   * thread's (each core's writes first take the lines the other read in the last call), and the
   * backward was 4-20% faster with its own copies. Larger ones (the vocabulary head) stay shared:
   * a copy per core would cost memory and as much time again as the product's first row block.
   */
  static final long OWN_PACK_FLOATS = 1L << 20;

  /**
   * matmulForward's arguments for its pack and gemv phases, one record refilled per call:
   * out (N,OC), inp (N,C), weight (OC,C), bias (OC) or null, each with its offset; bpW receives
   * the packed W^T panels.
   */
  private static final class Forward {
    float[] out, inp, weight, bias, bpW;
    int outo, inpo, weighto, biaso, N, C, OC;

    Forward set(float[] out, int outo, float[] inp, int inpo, float[] weight, int weighto, float[] bias, int biaso,
        float[] bpW, int N, int C, int OC) {
      this.out = out;
      this.outo = outo;
      this.inp = inp;
      this.inpo = inpo;
      this.weight = weight;
      this.weighto = weighto;
      this.bias = bias;
      this.biaso = biaso;
      this.bpW = bpW;
      this.N = N;
      this.C = C;
      this.OC = OC;
      return this;
    }
  }

  // out (N,OC) = inp (N,C) @ weight (OC,C)^T + bias (OC) or null
  void forward(float[] out, int outo, float[] inp, int inpo, float[] weight, int weighto, float[] bias, int biaso,
      int N, int C, int OC) {
    forward(out, outo, inp, inpo, weight, weighto, bias, biaso, N, C, OC, GemmEpilogue.NONE, null, 0);
  }

  // The same, then epilogue on each finished row block of out with x (N,OC) at xo (gelu: x = GELU(out);
  // gelu keeping the slope: also out = GELU'(out)); N > GEMV_MAX_ROWS when there is an epilogue (the
  // gemv path has no tiles)
  void forward(float[] out, int outo, float[] inp, int inpo, float[] weight, int weighto, float[] bias, int biaso,
      int N, int C, int OC, GemmEpilogue epilogue, float[] x, int xo) {
    if (N <= GEMV_MAX_ROWS) {
      if (epilogue != GemmEpilogue.NONE) throw new IllegalArgumentException("no epilogue on the gemv path (N = " + N + ")");
      pool.forRange(OC, 16, forward.set(out, outo, inp, inpo, weight, weighto, bias, biaso, null, N, C, OC),
          CpuMatmul::gemvColumns);
      return;
    }
    long packed = forwardPackedWeight(C, OC);
    if (packed <= OWN_PACK_FLOATS) {
      // one fork: every part packs all of W^T for itself, then multiplies its rows
      forward.set(out, outo, inp, inpo, weight, weighto, bias, biaso, null, N, C, OC);
      for (int w = 0; w < partOutput.length; w++) {
        float[] bp = partWeight[w] = grow(partWeight[w], packed);
        partOutput[w].set(N, OC, C, inp, inpo, C, 1, bp, out, outo, OC, false, bias, biaso).then(epilogue, x, xo);
      }
      try {
        gemm.runParts(partOutput, false, null, false, packForwardPart);
      } finally {
        forward.set(null, 0, null, 0, null, 0, null, 0, null, 0, 0, 0);
      }
      return;
    }
    int ws = pool.parts();
    if (byColumns(OC, (long) N * C, ws)) {
      // one fork: every part packs its own columns of W^T, then multiplies all rows by them
      forward.set(out, outo, inp, inpo, weight, weighto, bias, biaso, null, N, C, OC);
      for (int w = 0; w < ws; w++) {
        int first = ownFirstColumn(OC, w, ws), cols = ownColumns(OC, w, ws);
        float[] bp = partWeight[w] = grow(partWeight[w], forwardPackedWeight(C, cols));
        partOutput[w].set(cols == 0 ? 0 : N, cols, C, inp, inpo, C, 1, bp, out, outo + first, OC, false, bias,
            biaso + first).then(epilogue, x, xo + first);
      }
      try {
        gemm.runParts(partOutput, true, null, false, packForwardColumns);
      } finally {
        forward.set(null, 0, null, 0, null, 0, null, 0, null, 0, 0, 0);
      }
      return;
    }
    float[] bp = packedWeight = grow(packedWeight, packed);
    pool.forRange(Gemm.panels(OC), 1, forward.set(out, outo, inp, inpo, weight, weighto, bias, biaso, bp, N, C, OC),
        CpuMatmul::packWeightTransposed);
    gemm.run(output.set(N, OC, C, inp, inpo, C, 1, bp, out, outo, OC, false, bias, biaso).then(epilogue, x, xo));
  }

  /**
   * Panels per part from which an output whose B operand is too large for a copy per part ({@link
   * #OWN_PACK_FLOATS}: the forward's W^T, the backward's W for dinp) splits by columns: each part
   * packs only the panels it multiplies, in the same fork, and no packed panel crosses between
   * cores. The parts cannot take each other's columns, so with fewer panels a part that falls
   * behind would hold the op up by too large a share. Measured on Zen 5, 2 threads: the shared
   * pack's own fork ran slower on 2 threads than on 1 (each core's writes first take the lines the
   * other read in the last call); GPT-2 124M's 768 -> 2304 forward at 256 rows took 3.3-3.5 ms
   * shared, 2.7-3.1 split by columns. In its training step (B = 4, T = 64, bench train, 3
   * alternating rounds) the forwards took 183-192 -> 166-174 ms a step, the forward with GELU
   * 63-67 -> 52-56, the MLP projection's backward with GELU 106-108 -> 91-98.
   */
  static final int COLUMN_PANELS = 8;

  /**
   * Whether an output of n columns (the forward's out, the backward's dinp) whose B operand is too
   * large to copy per part splits by columns over ws parts: enough panels, and an A operand of
   * aFloats (inp, dout) small enough for every part to pack all of it. The vocabulary head's
   * dinp (A = dout, B x T x 50,304 floats for GPT-2) ran 3-5% slower split by columns, each core
   * packing and reading the whole of dout from memory; it keeps the shared pack.
   */
  static boolean byColumns(int n, long aFloats, int ws) {
    return Gemm.panels(n) >= COLUMN_PANELS * ws && aFloats <= OWN_PACK_FLOATS;
  }

  // part w of a forward: all panels of W^T into its own buffer
  private void packForwardPart(int w, int ws) {
    Forward a = forward;
    Packing.packTransposed(a.weight, a.weighto, a.C, a.OC, a.C, partWeight[w], 0, Gemm.panels(a.OC));
  }

  // part w of a forward split by columns: its own panels of W^T (rows of W) into its own buffer
  private void packForwardColumns(int w, int ws) {
    Forward a = forward;
    int cols = ownColumns(a.OC, w, ws);
    if (cols > 0) {
      Packing.packTransposed(a.weight, a.weighto + ownFirstColumn(a.OC, w, ws) * a.C, a.C, cols, a.C,
          partWeight[w], 0, Gemm.panels(cols));
    }
  }

  // panels [p0, p1) of W^T into bpW
  private static void packWeightTransposed(Forward a, int p0, int p1) {
    Packing.packTransposed(a.weight, a.weighto, a.C, a.OC, a.C, a.bpW, p0, p1);
  }

  private static void gemvColumns(Forward a, int o0, int o1) {
    gemv(a.out, a.outo, a.inp, a.inpo, a.weight, a.weighto, a.bias, a.biaso, a.N, a.C, a.OC, o0, o1);
  }

  /**
   * matmulBackward's arguments for its pack phase: dbias (OC) or null, dout (N,OC), inp (N,C),
   * weight (OC,C), each with its offset; inputGrad: whether there is a dinp (W is packed only
   * then); inputGradByColumns: whether each part packs only its own columns of W, for its columns
   * of dinp; bpW and bpX receive the packed W and inp panels where the parts share them (null
   * where each part packs its own).
   */
  private static final class Backward {
    float[] dbias, dout, inp, weight, bpW, bpX;
    int dbiaso, douto, inpo, weighto, N, C, OC;
    boolean inputGrad, inputGradByColumns;

    Backward set(float[] dbias, int dbiaso, float[] dout, int douto, float[] inp, int inpo, float[] weight,
        int weighto, boolean inputGrad, boolean inputGradByColumns, float[] bpW, float[] bpX, int N, int C, int OC) {
      this.dbias = dbias;
      this.dbiaso = dbiaso;
      this.dout = dout;
      this.douto = douto;
      this.inp = inp;
      this.inpo = inpo;
      this.weight = weight;
      this.weighto = weighto;
      this.inputGrad = inputGrad;
      this.inputGradByColumns = inputGradByColumns;
      this.bpW = bpW;
      this.bpX = bpX;
      this.N = N;
      this.C = C;
      this.OC = OC;
      return this;
    }
  }

  // dinp (N,C) = dout @ weight, or null; dweight (OC,C) += dout^T @ inp; dbias (OC) += column sums of dout, or null
  // dout (N,OC), inp (N,C), weight (OC,C)
  // dinp is written (Gemm without accumulate: its first K block starts from 0, later ones add to
  // it), so callers need not zero it; the parameters' gradients accumulate over micro-batches.
  void backward(float[] dinp, int dinpo, float[] dweight, int dweighto, float[] dbias, int dbiaso, float[] dout,
      int douto, float[] inp, int inpo, float[] weight, int weighto, int N, int C, int OC) {
    backward(dinp, dinpo, dweight, dweighto, dbias, dbiaso, dout, douto, inp, inpo, weight, weighto, N, C, OC,
        GemmEpilogue.NONE, null, 0);
  }

  // The same, then epilogue on each finished row block of dinp with x (N,C) at xo (gelu gradient: x =
  // GELU's input, dinp becomes GELU'(x) * dinp; slope product: x = GELU's slope, dinp becomes x *
  // dinp). inp is packed whole before any dinp tile is written, so dinp may be inp's own memory.
  void backward(float[] dinp, int dinpo, float[] dweight, int dweighto, float[] dbias, int dbiaso, float[] dout,
      int douto, float[] inp, int inpo, float[] weight, int weighto, int N, int C, int OC, GemmEpilogue epilogue,
      float[] x, int xo) {
    if (backwardOwn(dinp, dinpo, inp, inpo, N, C, OC, pool.parts())) {
      backwardOwnPacks(dinp, dinpo, dweight, dweighto, dbias, dbiaso, dout, douto, inp, inpo, weight, weighto, N, C, OC,
          epilogue, x, xo);
      return;
    }
    float[] bpW = dinp == null ? null : (packedWeight = grow(packedWeight, backwardPackedWeight(C, OC)));
    float[] bpX = packedInput = grow(packedInput, backwardPackedInput(N, C));
    // Phase 1: pack both B operands and sum dbias columns; each worker owns its panels and columns.
    pool.run(backward.set(dbias, dbiaso, dout, douto, inp, inpo, weight, weighto, dinp != null, false, bpW, bpX, N, C,
        OC),
        CpuMatmul::packBackwardPart);
    // Phase 2: dinp rows (K = OC, written) and dweight rows (A = dout^T, K = N, added to), tiles shared out dynamically.
    weightGrad.set(OC, C, N, dout, douto, 1, OC, bpX, dweight, dweighto, C, true, null, 0);
    if (bpW == null) {
      gemm.run(weightGrad);
    } else {
      gemm.run(inputGrad.set(N, C, OC, dout, douto, OC, 1, bpW, dinp, dinpo, C, false, null, 0).then(epilogue, x, xo),
          weightGrad);
    }
  }

  /**
   * Whether the backward over ws parts packs its B operands per part ({@link #OWN_PACK_FLOATS}):
   * W for dinp whole in every part, or where W is too large for that, each part only the columns
   * of W for its own columns of dinp (split by columns as the forward, {@link #byColumns}); inp
   * for dweight whole in every part where dweight is split by rows (C <= OC), or each part only
   * its own columns (C > OC: then inp is the larger operand, and a part reads no panel another
   * packed). Where dinp overlaps inp, only when both are split by the same columns: otherwise one
   * part could overwrite inp before another has packed it (the shared pack finishes first).
   */
  private static boolean backwardOwn(float[] dinp, int dinpo, float[] inp, int inpo, int N, int C, int OC, int ws) {
    boolean inputGradByColumns = inputGradByColumns(dinp != null, C, OC);
    if (inputGradByColumns && !byColumns(C, (long) N * OC, ws)) return false;
    if (C <= OC && backwardPackedInput(N, C) > OWN_PACK_FLOATS) return false;
    long size = (long) N * C;
    boolean overlap = dinp == inp && dinpo < inpo + size && inpo < dinpo + size;
    return !overlap || (inputGradByColumns && C > OC);
  }

  /** Whether a backward's dinp (when it has one) is split by columns: its W is too large for a copy per part. */
  private static boolean inputGradByColumns(boolean inputGrad, int C, int OC) {
    return inputGrad && backwardPackedWeight(C, OC) > OWN_PACK_FLOATS;
  }

  // backward with per-part packs (see backwardOwn): one fork; dweight split by rows or by columns
  private void backwardOwnPacks(float[] dinp, int dinpo, float[] dweight, int dweighto, float[] dbias, int dbiaso,
      float[] dout, int douto, float[] inp, int inpo, float[] weight, int weighto, int N, int C, int OC,
      GemmEpilogue epilogue, float[] x, int xo) {
    int ws = pool.parts();
    boolean byColumns = C > OC, inputGradByColumns = inputGradByColumns(dinp != null, C, OC);
    for (int w = 0; w < ws; w++) {
      if (inputGradByColumns) {
        int first = ownFirstColumn(C, w, ws), cols = ownColumns(C, w, ws);
        float[] bpW = partWeight[w] = grow(partWeight[w], backwardPackedWeight(cols, OC));
        partInputGrad[w].set(cols == 0 ? 0 : N, cols, OC, dout, douto, OC, 1, bpW, dinp, dinpo + first, C, false, null,
            0).then(epilogue, x, xo + first);
      } else if (dinp != null) {
        float[] bpW = partWeight[w] = grow(partWeight[w], backwardPackedWeight(C, OC));
        partInputGrad[w].set(N, C, OC, dout, douto, OC, 1, bpW, dinp, dinpo, C, false, null, 0).then(epilogue, x, xo);
      }
      if (byColumns) {
        int cols = ownColumns(C, w, ws);
        float[] bpX = partInput[w] = grow(partInput[w], backwardPackedInput(N, cols));
        partWeightGrad[w].set(cols == 0 ? 0 : OC, cols, N, dout, douto, 1, OC, bpX, dweight,
            dweighto + ownFirstColumn(C, w, ws), C, true, null, 0);
      } else {
        float[] bpX = partInput[w] = grow(partInput[w], backwardPackedInput(N, C));
        partWeightGrad[w].set(OC, C, N, dout, douto, 1, OC, bpX, dweight, dweighto, C, true, null, 0);
      }
    }
    backward.set(dbias, dbiaso, dout, douto, inp, inpo, weight, weighto, dinp != null, inputGradByColumns, null, null,
        N, C, OC);
    try {
      if (dinp == null) {
        gemm.runParts(partWeightGrad, byColumns, null, false, packBackwardOwn);
      } else {
        gemm.runParts(partInputGrad, inputGradByColumns, partWeightGrad, byColumns, packBackwardOwn);
      }
    } finally {
      backward.set(null, 0, null, 0, null, 0, null, 0, false, false, null, null, 0, 0, 0);
    }
  }

  // part w of a backward with its own packs: W whole or its columns of W (when there is a dinp), its inp panels,
  // its columns of dbias
  private void packBackwardOwn(int w, int ws) {
    Backward a = backward;
    int C = a.C, OC = a.OC, N = a.N;
    if (a.inputGradByColumns) {
      int cols = ownColumns(C, w, ws);
      if (cols > 0) {
        Packing.packRows(a.weight, a.weighto + ownFirstColumn(C, w, ws), C, cols, OC, partWeight[w], 0,
            Gemm.panels(cols));
      }
    } else if (a.inputGrad) {
      Packing.packRows(a.weight, a.weighto, C, C, OC, partWeight[w], 0, Gemm.panels(C));
    }
    if (C > OC) {
      int cols = ownColumns(C, w, ws);
      if (cols > 0) {
        Packing.packRows(a.inp, a.inpo + ownFirstColumn(C, w, ws), C, cols, N, partInput[w], 0, Gemm.panels(cols));
      }
    } else {
      Packing.packRows(a.inp, a.inpo, C, C, N, partInput[w], 0, Gemm.panels(C));
    }
    biasGradientPart(a, w, ws);
  }

  /**
   * First of part w's columns of an output n columns wide split by columns over ws parts (the
   * forward's out, dinp, dweight where C > OC): whole panels each, so a part's packed panels start
   * on a panel of the whole.
   */
  private static int ownFirstColumn(int n, int w, int ws) {
    return WorkerPool.split(Gemm.panels(n), w, ws) * Gemm.NR;
  }

  /** Part w's columns of an output n columns wide split by columns: its panels within n (0 when it has none). */
  private static int ownColumns(int n, int w, int ws) {
    return Math.max(0, Math.min(n, ownFirstColumn(n, w + 1, ws)) - ownFirstColumn(n, w, ws));
  }

  // worker w of ws: its panels of the packed weight and input, and its columns of dbias
  private static void packBackwardPart(Backward a, int w, int ws) {
    int C = a.C, OC = a.OC;
    int panels = Gemm.panels(C);
    int p0 = WorkerPool.split(panels, w, ws), p1 = WorkerPool.split(panels, w + 1, ws);
    if (a.inputGrad) Packing.packRows(a.weight, a.weighto, C, C, OC, a.bpW, p0, p1);
    Packing.packRows(a.inp, a.inpo, C, C, a.N, a.bpX, p0, p1);
    biasGradientPart(a, w, ws);
  }

  // part w of ws: its columns of dbias, when there is one
  private static void biasGradientPart(Backward a, int w, int ws) {
    if (a.dbias != null) {
      biasGradient(a.dbias, a.dbiaso, a.dout, a.douto, a.N, a.OC, WorkerPool.split(a.OC, w, ws),
          WorkerPool.split(a.OC, w + 1, ws));
    }
  }

  // dbias[o0..o1) += sum over n of dout (N,OC) columns o0..o1
  private static void biasGradient(float[] dbias, int dbiaso, float[] dout, int douto, int N, int OC, int o0, int o1) {
    int o = o0;
    for (; o + L <= o1; o += L) {
      FloatVector acc = FloatVector.zero(S);
      // the fresh vector is the receiver, acc only an argument (known receiver, see Vec)
      for (int n = 0; n < N; n++) acc = FloatVector.fromArray(S, dout, douto + n * OC + o).add(acc);
      FloatVector.fromArray(S, dbias, dbiaso + o).add(acc).intoArray(dbias, dbiaso + o);
    }
    for (; o < o1; o++) {
      float sum = 0f;
      for (int n = 0; n < N; n++) sum += dout[douto + n * OC + o];
      dbias[dbiaso + o] += sum;
    }
  }

  /**
   * Weights up to this many floats (1 MB: a core's L2) stay in cache from one call to the next
   * (a small model decoding), and gemv then runs four columns at a time. Larger ones stream from
   * memory, two rows far apart at a time (columns o and o + half of a part's range: Zen 5, one
   * core, 33-35 GB/s against 24-26 for one row at a time and 30 for two neighbouring rows; two
   * cores 56-61 against 50-53; four rows at a time read no faster than two; on Zen 4
   * four neighbouring rows in flight had read slower than one, 13-14 against 19-21 GB/s), in
   * vectors of at most 256 bits ({@link Dot#STREAM}: 28-29 against 23-25 GB/s at 512 bits on Zen 5,
   * one row at a time). Long rows read slower: GPT-2's MLP projection (3,072 floats a row) at 23-27
   * GB/s against 31-35 for its 768-float rows, because the two rows a pair streams (24 KB) evict its
   * input (12 KB) from L1; with a 3 KB input the same loop reads it at 34. Four rows sharing the input,
   * a row as two streams, strided sweeps over column blocks and one row at a time were all slower.
   */
  static final long GEMV_CACHED_FLOATS = 1L << 18;

  /**
   * out[n, o0..o1) = inp[n] . weight[o] + bias[o] for every row n < N (a few rows: decode).
   * out (N,OC), inp (N,C), weight (OC,C), bias (OC) or null. The rows n run inside a column (or
   * a block of four), while its weight rows are in L1. Each column's sum is {@link Dot#dot}'s
   * (weights in cache) or {@link Dot#dotStreamed}'s (weights streamed), in its order: the result
   * is bit-identical to a plain loop of that dot, whatever the split of columns across threads.
   */
  private static void gemv(float[] out, int outo, float[] inp, int inpo, float[] weight, int weighto, float[] bias,
      int biaso, int N, int C, int OC, int o0, int o1) {
    int o = o0;
    if ((long) OC * C <= GEMV_CACHED_FLOATS) {
      for (; o + 4 <= o1; o += 4) {
        for (int n = 0; n < N; n++) {
          dot4(out, outo + n * OC + o, inp, inpo + n * C, weight, weighto + o * C, bias, biaso + o, C);
        }
      }
      for (; o < o1; o++) { // the columns after the last block of four
        float b = bias == null ? 0f : bias[biaso + o];
        for (int n = 0; n < N; n++) out[outo + n * OC + o] = b + Dot.dot(inp, inpo + n * C, weight, weighto + o * C, C);
      }
      return;
    }
    // columns o and o + half together: two sequential runs of weights far apart (Dot.dotStreamedPair)
    int half = (o1 - o0) / 2;
    for (; o < o0 + half; o++) {
      int o2 = o + half;
      float b = bias == null ? 0f : bias[biaso + o], b2 = bias == null ? 0f : bias[biaso + o2];
      for (int n = 0; n < N; n++) {
        Dot.dotStreamedPair(inp, inpo + n * C, weight, weighto + o * C, weighto + o2 * C, C, out, outo + n * OC + o, b,
            outo + n * OC + o2, b2);
      }
    }
    for (o = o0 + 2 * half; o < o1; o++) { // the odd column left over
      float b = bias == null ? 0f : bias[biaso + o];
      for (int n = 0; n < N; n++) {
        out[outo + n * OC + o] = b + Dot.dotStreamed(inp, inpo + n * C, weight, weighto + o * C, C);
      }
    }
  }

  // out[oo .. oo+4) = x (C) . w rows 0..3 (4,C) at wo + bias[bo .. bo+4) (or 0); each as Dot.dot adds
  private static void dot4(float[] out, int oo, float[] x, int xo, float[] w, int wo, float[] bias, int bo, int C) {
    int w0 = wo, w1 = wo + C, w2 = wo + 2 * C, w3 = wo + 3 * C;
    // Two accumulators per column, as in Dot.dot: a*0 for even vectors, a*1 for odd ones.
    FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    int i = 0;
    for (; i + 2 * L <= C; i += 2 * L) {
      FloatVector x0 = FloatVector.fromArray(S, x, xo + i), x1 = FloatVector.fromArray(S, x, xo + i + L);
      a00 = x0.fma(FloatVector.fromArray(S, w, w0 + i), a00);
      a01 = x1.fma(FloatVector.fromArray(S, w, w0 + i + L), a01);
      a10 = x0.fma(FloatVector.fromArray(S, w, w1 + i), a10);
      a11 = x1.fma(FloatVector.fromArray(S, w, w1 + i + L), a11);
      a20 = x0.fma(FloatVector.fromArray(S, w, w2 + i), a20);
      a21 = x1.fma(FloatVector.fromArray(S, w, w2 + i + L), a21);
      a30 = x0.fma(FloatVector.fromArray(S, w, w3 + i), a30);
      a31 = x1.fma(FloatVector.fromArray(S, w, w3 + i + L), a31);
    }
    if (i + L <= C) {
      FloatVector x0 = FloatVector.fromArray(S, x, xo + i);
      a00 = x0.fma(FloatVector.fromArray(S, w, w0 + i), a00);
      a10 = x0.fma(FloatVector.fromArray(S, w, w1 + i), a10);
      a20 = x0.fma(FloatVector.fromArray(S, w, w2 + i), a20);
      a30 = x0.fma(FloatVector.fromArray(S, w, w3 + i), a30);
      i += L;
    }
    // -0 + x = x: the loop-carried accumulators added in known receivers (see Vec)
    FloatVector negativeZero = FloatVector.broadcast(S, -0f);
    float s0 = Vec.sumLanes(negativeZero.add(a00).add(a01)), s1 = Vec.sumLanes(negativeZero.add(a10).add(a11)),
        s2 = Vec.sumLanes(negativeZero.add(a20).add(a21)), s3 = Vec.sumLanes(negativeZero.add(a30).add(a31));
    for (; i < C; i++) {
      float xi = x[xo + i];
      s0 += xi * w[w0 + i];
      s1 += xi * w[w1 + i];
      s2 += xi * w[w2 + i];
      s3 += xi * w[w3 + i];
    }
    out[oo] = (bias == null ? 0f : bias[bo]) + s0;
    out[oo + 1] = (bias == null ? 0f : bias[bo + 1]) + s1;
    out[oo + 2] = (bias == null ? 0f : bias[bo + 2]) + s2;
    out[oo + 3] = (bias == null ? 0f : bias[bo + 3]) + s3;
  }

  // Sizes of the packed operands of (N,C) x (C,OC): forward packs W^T (C,OC); backward packs W
  // (OC,C) for dinp and inp (N,C) for dweight. forward, backward and scratchFloats share them.
  private static long forwardPackedWeight(int C, int OC) {
    return Gemm.packedSize(C, OC);
  }

  private static long backwardPackedWeight(int C, int OC) {
    return Gemm.packedSize(OC, C);
  }

  private static long backwardPackedInput(int N, int C) {
    return Gemm.packedSize(N, C);
  }

  /**
   * Floats of packed operands this class holds after the forward and backward passes of matmuls
   * (N,C) x (C,OC) for each {C, OC} in {@code shapes}, the ops split into {@code fewestParts} to
   * {@code parts} parts (a helped pool's ops take one part more while helped): each array grows
   * to its largest use, so the largest of each kind (for memory estimates; N >
   * {@link #GEMV_MAX_ROWS}; every backward counted with a dinp). Where dweight is split by columns
   * but dinp is not, the shared packs are counted too: a backward whose dinp overlaps its input
   * (the transformer's memory-saving layout) takes them.
   */
  static long scratchFloats(int N, int fewestParts, int parts, int[]... shapes) {
    long sharedWeight = 0, sharedInput = 0, ownWeight = 0, ownInput = 0;
    for (int[] s : shapes) {
      int C = s[0], OC = s[1];
      long fw = forwardPackedWeight(C, OC), bw = backwardPackedWeight(C, OC), bx = backwardPackedInput(N, C);
      boolean inputGradByColumns = inputGradByColumns(true, C, OC), weightGradByColumns = C > OC;
      for (int ws = fewestParts; ws <= parts; ws++) {
        boolean forwardByColumns = fw > OWN_PACK_FLOATS && byColumns(OC, (long) N * C, ws);
        if (fw > OWN_PACK_FLOATS && !forwardByColumns) sharedWeight = Math.max(sharedWeight, fw);
        boolean backwardOwn = (!inputGradByColumns || byColumns(C, (long) N * OC, ws))
            && (weightGradByColumns || bx <= OWN_PACK_FLOATS);
        if (!backwardOwn || (weightGradByColumns && !inputGradByColumns)) {
          sharedWeight = Math.max(sharedWeight, bw);
          sharedInput = Math.max(sharedInput, bx);
        }
        for (int w = 0; w < ws; w++) {
          int outColumns = ownColumns(OC, w, ws), inColumns = ownColumns(C, w, ws);
          if (fw <= OWN_PACK_FLOATS) ownWeight = Math.max(ownWeight, fw);
          if (forwardByColumns) ownWeight = Math.max(ownWeight, forwardPackedWeight(C, outColumns));
          if (backwardOwn) {
            ownWeight = Math.max(ownWeight, inputGradByColumns ? backwardPackedWeight(inColumns, OC) : bw);
            ownInput = Math.max(ownInput, weightGradByColumns ? backwardPackedInput(N, inColumns) : bx);
          }
        }
      }
    }
    return sharedWeight + sharedInput + (long) parts * (ownWeight + ownInput);
  }

  /** The array itself when it holds {@code size} floats, else a bigger one (first use of a shape). */
  static float[] grow(float[] a, long size) {
    if (size > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("matmul too large: " + size + " floats of scratch");
    return a.length >= size ? a : new float[(int) size];
  }
}
