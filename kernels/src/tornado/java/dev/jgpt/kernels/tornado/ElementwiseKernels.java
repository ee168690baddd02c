package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.ReferenceKernels;
import dev.jgpt.kernels.StepScalars;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Elementwise kernels over the device arena {@code m}: one work item per element, so one writer
 * per output element. Every tensor is given by its offset into the arena ({@code xo} for x).
 * {@code @Parallel} loops: TornadoVM maps them to work items, plain Java runs them as loops.
 */
public final class ElementwiseKernels {
  private ElementwiseKernels() {}

  // out (N) = GELU(inp (N)), GPT-2's tanh approximation
  public static void geluForward(FloatArray m, int outo, int inpo, int N) {
    for (@Parallel int i = 0; i < N; i++) {
      float x = m.get(inpo + i);
      float u = ReferenceKernels.GELU_SCALE * (x + 0.044715f * x * x * x);
      m.set(outo + i, 0.5f * x * (1f + TornadoMath.tanh(u)));
    }
  }

  static Launch launchGeluForward(int outo, int inpo, int N) {
    return Launch.parallel(Launch.sig("geluForward", outo, inpo, N),
        (s, m, ix, ctx) -> s.task(ElementwiseKernels::geluForward, m, outo, inpo, N));
  }

  // dinp (N) += GELU'(inp (N)) * dout (N)
  public static void geluBackward(FloatArray m, int dinpo, int inpo, int douto, int N) {
    for (@Parallel int i = 0; i < N; i++) {
      float x = m.get(inpo + i);
      float u = ReferenceKernels.GELU_SCALE * (x + 0.044715f * x * x * x);
      float th = TornadoMath.tanh(u);
      float sech2 = 1f - th * th;
      float grad = 0.5f * (1f + th) + 0.5f * x * sech2 * ReferenceKernels.GELU_SCALE * (1f + 3f * 0.044715f * x * x);
      m.set(dinpo + i, m.get(dinpo + i) + grad * m.get(douto + i));
    }
  }

  static Launch launchGeluBackward(int dinpo, int inpo, int douto, int N) {
    return Launch.parallel(Launch.sig("geluBackward", dinpo, inpo, douto, N),
        (s, m, ix, ctx) -> s.task(ElementwiseKernels::geluBackward, m, dinpo, inpo, douto, N));
  }

  // out (N) = a (N) + b (N)
  public static void residualForward(FloatArray m, int outo, int ao, int bo, int N) {
    for (@Parallel int i = 0; i < N; i++) {
      m.set(outo + i, m.get(ao + i) + m.get(bo + i));
    }
  }

  static Launch launchResidualForward(int outo, int ao, int bo, int N) {
    return Launch.parallel(Launch.sig("residualForward", outo, ao, bo, N),
        (s, m, ix, ctx) -> s.task(ElementwiseKernels::residualForward, m, outo, ao, bo, N));
  }

  // dst (N) += src (N)
  public static void accumulate(FloatArray m, int dsto, int srco, int N) {
    for (@Parallel int i = 0; i < N; i++) {
      m.set(dsto + i, m.get(dsto + i) + m.get(srco + i));
    }
  }

  static Launch launchAccumulate(int dsto, int srco, int N) {
    return Launch.parallel(Launch.sig("accumulate", dsto, srco, N),
        (s, m, ix, ctx) -> s.task(ElementwiseKernels::accumulate, m, dsto, srco, N));
  }

  // dst (N) = src (N); callers pass non-overlapping ranges (distinct slices of the arena)
  public static void copy(FloatArray m, int dsto, int srco, int N) {
    for (@Parallel int i = 0; i < N; i++) {
      m.set(dsto + i, m.get(srco + i));
    }
  }

  static Launch launchCopy(int dsto, int srco, int N) {
    return Launch.parallel(Launch.sig("copy", dsto, srco, N),
        (s, m, ix, ctx) -> s.task(ElementwiseKernels::copy, m, dsto, srco, N));
  }

  // x (N) = 0
  public static void zero(FloatArray m, int xo, int N) {
    for (@Parallel int i = 0; i < N; i++) {
      m.set(xo + i, 0f);
    }
  }

  static Launch launchZero(int xo, int N) {
    return Launch.parallel(Launch.sig("zero", xo, N), (s, m, ix, ctx) -> s.task(ElementwiseKernels::zero, m, xo, N));
  }

  // out (N) = inp (N) * keep / (1 - p), keep_i = uniform(seed, step, stream, i) >= p; step is read
  // from the step scalars (scalars (SIZE)) on the device, so a captured step draws new masks
  public static void dropoutForward(FloatArray m, int outo, int inpo, int scalarso, float p, long seed, int stream,
      int N) {
    float scale = 1f / (1f - p);
    for (@Parallel int i = 0; i < N; i++) {
      long key = DeviceRng.key(seed, (long) m.get(scalarso + StepScalars.RNG_STEP), stream);
      boolean keep = DeviceRng.uniform(key, i) >= p;
      m.set(outo + i, keep ? m.get(inpo + i) * scale : 0f);
    }
  }

  static Launch launchDropoutForward(int outo, int inpo, int scalarso, float p, long seed, int stream, int N) {
    return Launch.parallel(Launch.sig("dropoutForward", outo, inpo, scalarso, p, seed, stream, N),
        (s, m, ix, ctx) -> s.task(ElementwiseKernels::dropoutForward, m, outo, inpo, scalarso, p, seed, stream, N));
  }

  // dinp (N) += dout (N) * keep / (1 - p), the forward pass's mask recomputed from its counters
  public static void dropoutBackward(FloatArray m, int dinpo, int douto, int scalarso, float p, long seed, int stream,
      int N) {
    float scale = 1f / (1f - p);
    for (@Parallel int i = 0; i < N; i++) {
      long key = DeviceRng.key(seed, (long) m.get(scalarso + StepScalars.RNG_STEP), stream);
      boolean keep = DeviceRng.uniform(key, i) >= p;
      m.set(dinpo + i, m.get(dinpo + i) + (keep ? m.get(douto + i) * scale : 0f));
    }
  }

  static Launch launchDropoutBackward(int dinpo, int douto, int scalarso, float p, long seed, int stream, int N) {
    return Launch.parallel(Launch.sig("dropoutBackward", dinpo, douto, scalarso, p, seed, stream, N),
        (s, m, ix, ctx) -> s.task(ElementwiseKernels::dropoutBackward, m, dinpo, douto, scalarso, p, seed, stream, N));
  }
}
