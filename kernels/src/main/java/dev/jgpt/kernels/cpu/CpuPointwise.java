package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Vec.L;
import static dev.jgpt.kernels.cpu.Vec.S;

import dev.jgpt.kernels.CounterRng;
import dev.jgpt.kernels.ReferenceKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Element-wise kernels (GELU, residual, accumulate, dropout, copy, zero) on all cores: each
 * worker owns a contiguous range of elements. Dropout masks depend only on the element index,
 * so they are the same for every thread count.
 */
final class CpuPointwise {
  private CpuPointwise() {}

  /** Elements per worker below which a fork costs more than it saves. */
  static final int MIN_ELEMENTS = 16_384;

  private static final float GELU_CUBIC = 0.044715f;

  // out (N) = GELU(inp (N)), tanh approximation
  static void geluForward(WorkerPool pool, float[] out, int outo, float[] inp, int inpo, int N) {
    pool.forAlignedRange(N, Vec.L, MIN_ELEMENTS, (i0, i1) -> {
      int i = i0;
      for (; i + L <= i1; i += L) geluOf(FloatVector.fromArray(S, inp, inpo + i)).intoArray(out, outo + i);
      if (i < i1) {
        VectorMask<Float> tail = S.indexInRange(i, i1);
        geluOf(FloatVector.fromArray(S, inp, inpo + i, tail)).intoArray(out, outo + i, tail);
      }
    });
  }

  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
  private static FloatVector geluOf(FloatVector x) {
    FloatVector th = VectorMath.tanh(tanhArgument(x));
    return x.mul(0.5f).mul(th.add(1f));
  }

  // sqrt(2/pi) * (x + 0.044715 x^3)
  private static FloatVector tanhArgument(FloatVector x) {
    FloatVector x3 = x.mul(x).mul(x);
    return x3.mul(GELU_CUBIC).add(x).mul(ReferenceKernels.GELU_SCALE);
  }

  // dinp (N) += GELU'(inp (N)) * dout (N)
  static void geluBackward(WorkerPool pool, float[] dinp, int dinpo, float[] inp, int inpo, float[] dout, int douto,
      int N) {
    pool.forAlignedRange(N, Vec.L, MIN_ELEMENTS, (i0, i1) -> {
      int i = i0;
      for (; i + L <= i1; i += L) {
        FloatVector g = geluGradient(FloatVector.fromArray(S, inp, inpo + i));
        g.fma(FloatVector.fromArray(S, dout, douto + i), FloatVector.fromArray(S, dinp, dinpo + i))
            .intoArray(dinp, dinpo + i);
      }
      if (i < i1) {
        VectorMask<Float> tail = S.indexInRange(i, i1);
        FloatVector g = geluGradient(FloatVector.fromArray(S, inp, inpo + i, tail));
        g.fma(FloatVector.fromArray(S, dout, douto + i, tail), FloatVector.fromArray(S, dinp, dinpo + i, tail))
            .intoArray(dinp, dinpo + i, tail);
      }
    });
  }

  // 0.5 (1 + th) + 0.5 x sech^2 sqrt(2/pi) (1 + 3 * 0.044715 x^2), th = tanh(...), sech^2 = 1 - th^2
  private static FloatVector geluGradient(FloatVector x) {
    FloatVector th = VectorMath.tanh(tanhArgument(x));
    FloatVector sech2 = th.mul(th).neg().add(1f);
    FloatVector inner = x.mul(x).mul(3f * GELU_CUBIC).add(1f).mul(ReferenceKernels.GELU_SCALE);
    return th.add(1f).mul(0.5f).add(x.mul(0.5f).mul(sech2).mul(inner));
  }

  // out (N) = a (N) + b (N)
  static void residual(WorkerPool pool, float[] out, int outo, float[] a, int ao, float[] b, int bo, int N) {
    pool.forAlignedRange(N, Vec.L, MIN_ELEMENTS, (i0, i1) -> {
      int i = i0;
      for (; i + L <= i1; i += L) {
        FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, outo + i);
      }
      for (; i < i1; i++) out[outo + i] = a[ao + i] + b[bo + i];
    });
  }

  // dst (N) += src (N)
  static void accumulate(WorkerPool pool, float[] dst, int dsto, float[] src, int srco, int N) {
    residual(pool, dst, dsto, dst, dsto, src, srco, N);
  }

  // dst (N) = src (N)
  static void copy(WorkerPool pool, float[] dst, int dsto, float[] src, int srco, int N) {
    pool.forRange(N, 4 * MIN_ELEMENTS, (i0, i1) -> System.arraycopy(src, srco + i0, dst, dsto + i0, i1 - i0));
  }

  // x (N) = 0
  static void zero(WorkerPool pool, float[] x, int xo, int N) {
    pool.forRange(N, 4 * MIN_ELEMENTS, (i0, i1) -> java.util.Arrays.fill(x, xo + i0, xo + i1, 0f));
  }

  // out (N) = inp (N) * keep / (1 - p); keep_i = uniform(key, i) >= p
  static void dropoutForward(WorkerPool pool, float[] out, int outo, float[] inp, int inpo, float p, long key, int N) {
    float scale = 1f / (1f - p);
    pool.forRange(N, MIN_ELEMENTS / 4, (i0, i1) -> {
      for (int i = i0; i < i1; i++) {
        out[outo + i] = CounterRng.uniform(key, i) >= p ? inp[inpo + i] * scale : 0f;
      }
    });
  }

  // dinp (N) += dout (N) * keep / (1 - p), the forward mask
  static void dropoutBackward(WorkerPool pool, float[] dinp, int dinpo, float[] dout, int douto, float p, long key,
      int N) {
    float scale = 1f / (1f - p);
    pool.forRange(N, MIN_ELEMENTS / 4, (i0, i1) -> {
      for (int i = i0; i < i1; i++) {
        if (CounterRng.uniform(key, i) >= p) dinp[dinpo + i] += dout[douto + i] * scale;
      }
    });
  }
}
