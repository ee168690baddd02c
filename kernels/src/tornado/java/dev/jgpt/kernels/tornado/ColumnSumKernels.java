package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Column reductions for GPUs: the parameter gradients that sum over all N = B*T rows (layer-norm
 * weight and bias, linear biases). {@link RowKernels} and {@link MatmulKernels} give each column one
 * work item walking all N rows: C = 768 threads, too few to fill a GPU, each N long. Here a first
 * pass gives each (block of {@link #BLOCK_ROWS} rows, column) pair one work item writing a partial
 * sum, and a second small pass adds each column's partials in block order into the gradient: every
 * output element still has one writer, and no atomics. Both passes are {@code @Parallel} loops over
 * a flat index whose fastest part is the column, so neighbouring work items read neighbouring
 * floats (coalesced); the same code runs on the host.
 *
 * <p>Buffers (role groups, see {@link Arena}): the partial passes take one array {@code m} holding
 * dout, inp, mean, rstd and the partials (activations and the backend's scratch, which lives in the
 * activations); the finishing pass takes {@code g} (dweight, dbias: gradients) and {@code x} (the
 * partials), each once, then an offset per tensor.
 */
public final class ColumnSumKernels {
  private ColumnSumKernels() {}

  /** Rows per partial sum. */
  public static final int BLOCK_ROWS = 32;

  /** Partial sums per column for N rows. */
  static int blocks(int N) {
    return (N + BLOCK_ROWS - 1) / BLOCK_ROWS;
  }

  // partials (blocks, 2C): [b*2C + c] = sum over rows of block b of norm * dout (dweight's part),
  // [b*2C + C + c] = sum of dout (dbias's part); norm = (inp - mean) * rstd.
  // m offsets: partialso -> partials scratch, douto -> dout (N,C) activation gradient, inpo -> inp
  // (N,C) activation, meano/rstdo -> (N) activations. One work item per (block, column).
  public static void layernormParamPartials(FloatArray m, int partialso, int douto, int inpo, int meano, int rstdo,
      int blocks, int N, int C) {
    for (@Parallel int idx = 0; idx < blocks * C; idx++) {
      int b = idx / C;
      int c = idx % C;
      int end = TornadoMath.min(N, (b + 1) * BLOCK_ROWS);
      float dw = 0f;
      float db = 0f;
      for (int n = b * BLOCK_ROWS; n < end; n++) {
        float dout = m.get(douto + n * C + c);
        float norm = (m.get(inpo + n * C + c) - m.get(meano + n)) * m.get(rstdo + n);
        dw += norm * dout;
        db += dout;
      }
      m.set(partialso + b * 2 * C + c, dw);
      m.set(partialso + b * 2 * C + C + c, db);
    }
  }

  // partials (blocks, C): [b*C + c] = sum over rows of block b of src (N,C) column c.
  // m offsets: partialso -> partials scratch, srco -> src (N,C) activation gradient (dout).
  public static void columnPartials(FloatArray m, int partialso, int srco, int blocks, int N, int C) {
    for (@Parallel int idx = 0; idx < blocks * C; idx++) {
      int b = idx / C;
      int c = idx % C;
      int end = TornadoMath.min(N, (b + 1) * BLOCK_ROWS);
      float sum = 0f;
      for (int n = b * BLOCK_ROWS; n < end; n++) sum += m.get(srco + n * C + c);
      m.set(partialso + b * C + c, sum);
    }
  }

  // g: dst (C) += sum over b < blocks of partials[b*stride + c], in block order; x: partials (blocks
  // rows of stride). One work item per column.
  public static void finishColumns(FloatArray g, FloatArray x, int dsto, int partialso, int stride, int blocks,
      int C) {
    for (@Parallel int c = 0; c < C; c++) {
      float sum = 0f;
      for (int b = 0; b < blocks; b++) sum += x.get(partialso + b * stride + c);
      g.set(dsto + c, g.get(dsto + c) + sum);
    }
  }

  /**
   * dweight (C) [and dbias (C) when dbo >= 0] += layer-norm parameter gradients, via partials
   * (blocks, 2C); gk the gradients' kind, xk the kind of dout, inp, mean, rstd and the partials.
   */
  static Launch[] launchLayernormParams(BufferKind gk, int dwo, int dbo, BufferKind xk, int partialso, int douto,
      int inpo, int meano, int rstdo, int N, int C) {
    int blocks = blocks(N);
    KindCheck.apart("layernormBackward", new String[] {"activations", "weight gradients"}, xk, gk);
    Launch partials = Launch.parallel(
        Launch.sig("layernormBackward.paramPartials", xk, partialso, douto, inpo, meano, rstdo, N, C),
        (s, a, ctx) -> s.task(ColumnSumKernels::layernormParamPartials, a.of(xk), partialso, douto, inpo, meano,
            rstdo, blocks, N, C));
    Launch weight = launchFinish("layernormBackward.weight", gk, dwo, xk, partialso, 2 * C, blocks, C);
    if (dbo < 0) return new Launch[] {partials, weight};
    return new Launch[] {partials, weight,
        launchFinish("layernormBackward.bias", gk, dbo, xk, partialso + C, 2 * C, blocks, C)};
  }

  /** dbias (OC) += column sums of dout (N,OC), via partials (blocks, OC); dout and partials in kind xk. */
  static Launch[] launchBiasBackward(BufferKind gk, int dbo, BufferKind xk, int partialso, int douto, int N, int OC) {
    int blocks = blocks(N);
    KindCheck.apart("matmulBackward", new String[] {"activations", "bias gradient"}, xk, gk);
    Launch partials = Launch.parallel(Launch.sig("matmulBackward.biasPartials", xk, partialso, douto, N, OC),
        (s, a, ctx) -> s.task(ColumnSumKernels::columnPartials, a.of(xk), partialso, douto, blocks, N, OC));
    return new Launch[] {partials, launchFinish("matmulBackward.bias", gk, dbo, xk, partialso, OC, blocks, OC)};
  }

  private static Launch launchFinish(String op, BufferKind gk, int dsto, BufferKind xk, int partialso, int stride,
      int blocks, int C) {
    return Launch.parallel(Launch.sig(op + ".finish", gk, dsto, xk, partialso, stride, blocks, C),
        (s, a, ctx) -> s.task(ColumnSumKernels::finishColumns, a.of(gk), a.of(xk), dsto, partialso, stride, blocks,
            C));
  }
}
