package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import dev.jgpt.kernels.CounterRng;
import dev.jgpt.kernels.ReferenceKernels;
import jdk.incubator.vector.FloatVector;

/**
 * Element-wise kernels (GELU, residual, accumulate, dropout, copy, zero) on all cores: each
 * worker owns a contiguous range of elements. Dropout masks depend only on the element index,
 * so they are the same for every thread count.
 *
 * <p>An op fills its argument record ({@link Elementwise} or {@link Dropout}, one of each,
 * reused) and hands the pool a static range body that reads it, so a call allocates nothing (a
 * capturing lambda per call would). One op runs at a time: the backend has one calling thread.
 */
final class CpuPointwise {
  /** Elements per worker below which a fork costs more than it saves. */
  static final int MIN_ELEMENTS = 16_384;


  private final WorkerPool pool;
  private final Elementwise elementwise = new Elementwise();
  private final Dropout dropout = new Dropout();

  CpuPointwise(WorkerPool pool) {
    this.pool = pool;
  }

  /**
   * An element-wise op's arguments, one record refilled per call: out (N) and up to two inputs
   * x and y (N), each array with its offset. Each range body names them for its op.
   */
  private static final class Elementwise {
    float[] out, x, y;
    int outo, xo, yo;

    Elementwise set(float[] out, int outo, float[] x, int xo, float[] y, int yo) {
      this.out = out;
      this.outo = outo;
      this.x = x;
      this.xo = xo;
      this.y = y;
      this.yo = yo;
      return this;
    }
  }

  /** A dropout op's arguments: out (N), inp (N), drop probability p, scale 1/(1-p), mask key. */
  private static final class Dropout {
    float[] out, inp;
    int outo, inpo;
    float p, scale;
    long key;

    Dropout set(float[] out, int outo, float[] inp, int inpo, float p, long key) {
      this.out = out;
      this.outo = outo;
      this.inp = inp;
      this.inpo = inpo;
      this.p = p;
      this.scale = 1f / (1f - p);
      this.key = key;
      return this;
    }
  }

  // out (N) = GELU(inp (N)), tanh approximation
  void geluForward(float[] out, int outo, float[] inp, int inpo, int N) {
    pool.forAlignedRange(N, Vec.L, MIN_ELEMENTS, elementwise.set(out, outo, inp, inpo, null, 0),
        CpuPointwise::geluForwardRange);
  }

  private static void geluForwardRange(Elementwise a, int i0, int i1) {
    float[] out = a.out, inp = a.x;
    int outo = a.outo, inpo = a.xo;
    GeluRows.forward(inp, inpo + i0, out, outo + i0, i1 - i0);
  }

  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))): the specification of GeluRows' vector steps
  static FloatVector geluOf(FloatVector x) {
    FloatVector th = VectorMath.tanh(tanhArgument(x));
    return x.mul(0.5f).mul(th.add(1f));
  }

  // geluOf for one float, step for step: the same bits as a vector lane
  static float geluOf(float x) {
    float th = VectorMath.tanh(tanhArgument(x));
    return x * 0.5f * (th + 1f);
  }

  // sqrt(2/pi) * (x + 0.044715 x^3)
  private static FloatVector tanhArgument(FloatVector x) {
    FloatVector x3 = x.mul(x).mul(x);
    return x3.mul(ReferenceKernels.GELU_CUBIC).add(x).mul(ReferenceKernels.GELU_SCALE);
  }

  private static float tanhArgument(float x) {
    float x3 = x * x * x;
    return (x3 * ReferenceKernels.GELU_CUBIC + x) * ReferenceKernels.GELU_SCALE;
  }

  // dinp (N) = GELU'(inp (N)) * dout (N), written
  void geluBackward(float[] dinp, int dinpo, float[] inp, int inpo, float[] dout, int douto, int N) {
    pool.forAlignedRange(N, Vec.L, MIN_ELEMENTS, elementwise.set(dinp, dinpo, inp, inpo, dout, douto),
        CpuPointwise::geluBackwardRange);
  }

  private static void geluBackwardRange(Elementwise a, int i0, int i1) {
    float[] dinp = a.out, inp = a.x, dout = a.y;
    int dinpo = a.outo, inpo = a.xo, douto = a.yo;
    GeluRows.gradient(inp, inpo + i0, dout, douto + i0, dinp, dinpo + i0, i1 - i0);
  }

  // 0.5 (1 + th) + 0.5 x sech^2 sqrt(2/pi) (1 + 3 * 0.044715 x^2), th = tanh(...), sech^2 = 1 - th^2;
  // the specification of GeluRows' vector steps
  static FloatVector geluGradient(FloatVector x) {
    FloatVector th = VectorMath.tanh(tanhArgument(x));
    FloatVector sech2 = th.mul(th).neg().add(1f);
    FloatVector inner = x.mul(x).mul(3f * ReferenceKernels.GELU_CUBIC).add(1f).mul(ReferenceKernels.GELU_SCALE);
    return th.add(1f).mul(0.5f).add(x.mul(0.5f).mul(sech2).mul(inner));
  }

  // geluGradient for one float, step for step: the same bits as a vector lane
  static float geluGradient(float x) {
    float th = VectorMath.tanh(tanhArgument(x));
    float sech2 = -(th * th) + 1f;
    float inner = (x * x * (3f * ReferenceKernels.GELU_CUBIC) + 1f) * ReferenceKernels.GELU_SCALE;
    return (th + 1f) * 0.5f + x * 0.5f * sech2 * inner;
  }

  // out (N) = a (N) + b (N)
  void residual(float[] out, int outo, float[] a, int ao, float[] b, int bo, int N) {
    pool.forAlignedRange(N, Vec.L, MIN_ELEMENTS, elementwise.set(out, outo, a, ao, b, bo), CpuPointwise::sumRange);
  }

  private static void sumRange(Elementwise args, int i0, int i1) {
    float[] out = args.out, a = args.x, b = args.y;
    int outo = args.outo, ao = args.xo, bo = args.yo;
    int i = i0;
    for (; i + L <= i1; i += L) {
      FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, outo + i);
    }
    for (; i < i1; i++) out[outo + i] = a[ao + i] + b[bo + i];
  }

  // dst (N) += src (N)
  void accumulate(float[] dst, int dsto, float[] src, int srco, int N) {
    residual(dst, dsto, dst, dsto, src, srco, N);
  }

  // dst (N) += src (N), then src (N) = 0, in one pass
  void accumulateAndClear(float[] dst, int dsto, float[] src, int srco, int N) {
    pool.forAlignedRange(N, Vec.L, MIN_ELEMENTS, elementwise.set(dst, dsto, dst, dsto, src, srco),
        CpuPointwise::sumAndClearRange);
  }

  /** Floats of src added, then cleared, at a time: 8 KB, still in L1 when they are cleared. */
  private static final int CLEAR_BLOCK = 2048;

  private static void sumAndClearRange(Elementwise args, int i0, int i1) {
    for (int b = i0; b < i1; b += CLEAR_BLOCK) {
      int e = Math.min(i1, b + CLEAR_BLOCK);
      sumRange(args, b, e);
      java.util.Arrays.fill(args.y, args.yo + b, args.yo + e, 0f);
    }
  }

  // dst (N) = src (N)
  void copy(float[] dst, int dsto, float[] src, int srco, int N) {
    pool.forRange(N, 4 * MIN_ELEMENTS, elementwise.set(dst, dsto, src, srco, null, 0), CpuPointwise::copyRange);
  }

  private static void copyRange(Elementwise a, int i0, int i1) {
    System.arraycopy(a.x, a.xo + i0, a.out, a.outo + i0, i1 - i0);
  }

  // x (N) = 0
  void zero(float[] x, int xo, int N) {
    pool.forRange(N, 4 * MIN_ELEMENTS, elementwise.set(x, xo, null, 0, null, 0), CpuPointwise::zeroRange);
  }

  private static void zeroRange(Elementwise a, int i0, int i1) {
    java.util.Arrays.fill(a.out, a.outo + i0, a.outo + i1, 0f);
  }

  // out (N) = inp (N) * keep / (1 - p); keep_i = uniform(key, i) >= p
  void dropoutForward(float[] out, int outo, float[] inp, int inpo, float p, long key, int N) {
    pool.forRange(N, MIN_ELEMENTS / 4, dropout.set(out, outo, inp, inpo, p, key), CpuPointwise::dropoutForwardRange);
  }

  private static void dropoutForwardRange(Dropout a, int i0, int i1) {
    float[] out = a.out, inp = a.inp;
    int outo = a.outo, inpo = a.inpo;
    float p = a.p, scale = a.scale;
    long key = a.key;
    for (int i = i0; i < i1; i++) {
      out[outo + i] = CounterRng.uniform(key, i) >= p ? inp[inpo + i] * scale : 0f;
    }
  }

  // dinp (N) = dout (N) * keep / (1 - p), written (0 where dropped), the forward mask
  void dropoutBackward(float[] dinp, int dinpo, float[] dout, int douto, float p, long key, int N) {
    pool.forRange(N, MIN_ELEMENTS / 4, dropout.set(dinp, dinpo, dout, douto, p, key),
        CpuPointwise::dropoutBackwardRange);
  }

  // the Dropout record's out is dinp here and its inp is dout
  private static void dropoutBackwardRange(Dropout a, int i0, int i1) {
    float[] dinp = a.out, dout = a.inp;
    int dinpo = a.outo, douto = a.inpo;
    float p = a.p, scale = a.scale;
    long key = a.key;
    for (int i = i0; i < i1; i++) {
      dinp[dinpo + i] = CounterRng.uniform(key, i) >= p ? dout[douto + i] * scale : 0f;
    }
  }
}
