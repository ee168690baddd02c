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
 * <p>An op stores its arguments in the fields below and hands the pool a range body made once
 * in the constructor, so a call allocates nothing (a capturing lambda per call would). One op
 * runs at a time: the backend has one calling thread.
 */
final class CpuPointwise {
  /** Elements per worker below which a fork costs more than it saves. */
  static final int MIN_ELEMENTS = 16_384;

  private static final float GELU_CUBIC = 0.044715f;

  private final WorkerPool pool;
  // Arguments of the running op: out (N) and up to two inputs (N), each array with its offset.
  private float[] out, in1, in2;
  private int outo, in1o, in2o;
  private float p, scale;
  private long key;
  private final WorkerPool.Range geluForward = this::geluForwardRange, geluBackward = this::geluBackwardRange,
      sum = this::sumRange, copy = this::copyRange, zero = this::zeroRange,
      dropoutForward = this::dropoutForwardRange, dropoutBackward = this::dropoutBackwardRange;

  CpuPointwise(WorkerPool pool) {
    this.pool = pool;
  }

  private void set(float[] out, int outo, float[] in1, int in1o, float[] in2, int in2o) {
    this.out = out;
    this.outo = outo;
    this.in1 = in1;
    this.in1o = in1o;
    this.in2 = in2;
    this.in2o = in2o;
  }

  // out (N) = GELU(inp (N)), tanh approximation
  void geluForward(float[] out, int outo, float[] inp, int inpo, int N) {
    set(out, outo, inp, inpo, null, 0);
    pool.forAlignedRange(N, Vec.L, MIN_ELEMENTS, geluForward);
  }

  private void geluForwardRange(int i0, int i1) {
    float[] out = this.out, inp = in1;
    int outo = this.outo, inpo = in1o;
    int i = i0;
    for (; i + L <= i1; i += L) geluOf(FloatVector.fromArray(S, inp, inpo + i)).intoArray(out, outo + i);
    // The tail in scalar code that gives the vector lanes' bits: a second vector call site here
    // would be cold, left out of line by C2, and box its vectors on every call.
    for (; i < i1; i++) out[outo + i] = geluOf(inp[inpo + i]);
  }

  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
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
    return x3.mul(GELU_CUBIC).add(x).mul(ReferenceKernels.GELU_SCALE);
  }

  private static float tanhArgument(float x) {
    float x3 = x * x * x;
    return (x3 * GELU_CUBIC + x) * ReferenceKernels.GELU_SCALE;
  }

  // dinp (N) += GELU'(inp (N)) * dout (N)
  void geluBackward(float[] dinp, int dinpo, float[] inp, int inpo, float[] dout, int douto, int N) {
    set(dinp, dinpo, inp, inpo, dout, douto);
    pool.forAlignedRange(N, Vec.L, MIN_ELEMENTS, geluBackward);
  }

  private void geluBackwardRange(int i0, int i1) {
    float[] dinp = out, inp = in1, dout = in2;
    int dinpo = outo, inpo = in1o, douto = in2o;
    int i = i0;
    for (; i + L <= i1; i += L) {
      FloatVector g = geluGradient(FloatVector.fromArray(S, inp, inpo + i));
      g.fma(FloatVector.fromArray(S, dout, douto + i), FloatVector.fromArray(S, dinp, dinpo + i))
          .intoArray(dinp, dinpo + i);
    }
    for (; i < i1; i++) dinp[dinpo + i] = Math.fma(geluGradient(inp[inpo + i]), dout[douto + i], dinp[dinpo + i]);
  }

  // 0.5 (1 + th) + 0.5 x sech^2 sqrt(2/pi) (1 + 3 * 0.044715 x^2), th = tanh(...), sech^2 = 1 - th^2
  static FloatVector geluGradient(FloatVector x) {
    FloatVector th = VectorMath.tanh(tanhArgument(x));
    FloatVector sech2 = th.mul(th).neg().add(1f);
    FloatVector inner = x.mul(x).mul(3f * GELU_CUBIC).add(1f).mul(ReferenceKernels.GELU_SCALE);
    return th.add(1f).mul(0.5f).add(x.mul(0.5f).mul(sech2).mul(inner));
  }

  // geluGradient for one float, step for step: the same bits as a vector lane
  static float geluGradient(float x) {
    float th = VectorMath.tanh(tanhArgument(x));
    float sech2 = -(th * th) + 1f;
    float inner = (x * x * (3f * GELU_CUBIC) + 1f) * ReferenceKernels.GELU_SCALE;
    return (th + 1f) * 0.5f + x * 0.5f * sech2 * inner;
  }

  // out (N) = a (N) + b (N)
  void residual(float[] out, int outo, float[] a, int ao, float[] b, int bo, int N) {
    set(out, outo, a, ao, b, bo);
    pool.forAlignedRange(N, Vec.L, MIN_ELEMENTS, sum);
  }

  private void sumRange(int i0, int i1) {
    float[] out = this.out, a = in1, b = in2;
    int outo = this.outo, ao = in1o, bo = in2o;
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

  // dst (N) = src (N)
  void copy(float[] dst, int dsto, float[] src, int srco, int N) {
    set(dst, dsto, src, srco, null, 0);
    pool.forRange(N, 4 * MIN_ELEMENTS, copy);
  }

  private void copyRange(int i0, int i1) {
    System.arraycopy(in1, in1o + i0, out, outo + i0, i1 - i0);
  }

  // x (N) = 0
  void zero(float[] x, int xo, int N) {
    set(x, xo, null, 0, null, 0);
    pool.forRange(N, 4 * MIN_ELEMENTS, zero);
  }

  private void zeroRange(int i0, int i1) {
    java.util.Arrays.fill(out, outo + i0, outo + i1, 0f);
  }

  // out (N) = inp (N) * keep / (1 - p); keep_i = uniform(key, i) >= p
  void dropoutForward(float[] out, int outo, float[] inp, int inpo, float p, long key, int N) {
    set(out, outo, inp, inpo, null, 0);
    setDropout(p, key);
    pool.forRange(N, MIN_ELEMENTS / 4, dropoutForward);
  }

  private void dropoutForwardRange(int i0, int i1) {
    float[] out = this.out, inp = in1;
    int outo = this.outo, inpo = in1o;
    float p = this.p, scale = this.scale;
    long key = this.key;
    for (int i = i0; i < i1; i++) {
      out[outo + i] = CounterRng.uniform(key, i) >= p ? inp[inpo + i] * scale : 0f;
    }
  }

  // dinp (N) += dout (N) * keep / (1 - p), the forward mask
  void dropoutBackward(float[] dinp, int dinpo, float[] dout, int douto, float p, long key, int N) {
    set(dinp, dinpo, dout, douto, null, 0);
    setDropout(p, key);
    pool.forRange(N, MIN_ELEMENTS / 4, dropoutBackward);
  }

  private void dropoutBackwardRange(int i0, int i1) {
    float[] dinp = out, dout = in1;
    int dinpo = outo, douto = in1o;
    float p = this.p, scale = this.scale;
    long key = this.key;
    for (int i = i0; i < i1; i++) {
      if (CounterRng.uniform(key, i) >= p) dinp[dinpo + i] += dout[douto + i] * scale;
    }
  }

  private void setDropout(float p, long key) {
    this.p = p;
    this.scale = 1f / (1f - p);
    this.key = key;
  }
}
