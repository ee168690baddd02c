package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.StepScalars;
import dev.jgpt.kernels.cpu.CpuScalarMath;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Elementwise kernels over the device arena {@code m}: one work item per element, so one writer
 * per output element. Every tensor is given by its offset into the arena ({@code xo} for x).
 * {@code @Parallel} loops: TornadoVM maps them to work items, plain Java runs them as loops.
 */
public final class ElementwiseKernels {
  private ElementwiseKernels() {}

  // out (N) = GELU(inp (N)), GPT-2's tanh approximation, as the CPU backend computes it (CpuMath.gelu)
  public static void geluForward(FloatArray m, int outo, int inpo, int N) {
    for (@Parallel int i = 0; i < N; i++) m.set(outo + i, CpuMath.gelu(m.get(inpo + i)));
  }

  // geluForward as the host runs it: the CPU backend's own function (CpuMath's fma steps in plain Java would not fuse)
  public static void geluForwardOnHost(FloatArray m, int outo, int inpo, int N) {
    for (int i = 0; i < N; i++) m.set(outo + i, CpuScalarMath.gelu(m.get(inpo + i)));
  }

  static Launch launchGeluForward(BufferKind kind, int outo, int inpo, int N) {
    return new Launch(Launch.sig("geluForward", kind, outo, inpo, N), false,
        (s, a, ctx) -> s.task(ElementwiseKernels::geluForward, a.of(kind), outo, inpo, N),
        (s, a, ctx) -> s.task(ElementwiseKernels::geluForwardOnHost, a.of(kind), outo, inpo, N), null, null);
  }

  // dinp (N) = GELU'(inp (N)) * dout (N), written, as the CPU backend rounds it
  public static void geluBackward(FloatArray m, int dinpo, int inpo, int douto, int N) {
    for (@Parallel int i = 0; i < N; i++) {
      float grad = CpuMath.geluGradient(m.get(inpo + i));
      m.set(dinpo + i, grad * m.get(douto + i));
    }
  }

  // geluBackward as the host runs it (see geluForwardOnHost)
  public static void geluBackwardOnHost(FloatArray m, int dinpo, int inpo, int douto, int N) {
    for (int i = 0; i < N; i++) {
      float grad = CpuScalarMath.geluGradient(m.get(inpo + i));
      m.set(dinpo + i, grad * m.get(douto + i));
    }
  }

  static Launch launchGeluBackward(BufferKind kind, int dinpo, int inpo, int douto, int N) {
    return new Launch(Launch.sig("geluBackward", kind, dinpo, inpo, douto, N), false,
        (s, a, ctx) -> s.task(ElementwiseKernels::geluBackward, a.of(kind), dinpo, inpo, douto, N),
        (s, a, ctx) -> s.task(ElementwiseKernels::geluBackwardOnHost, a.of(kind), dinpo, inpo, douto, N), null, null);
  }

  // out (N) = a (N) + b (N)
  public static void residualForward(FloatArray m, int outo, int ao, int bo, int N) {
    for (@Parallel int i = 0; i < N; i++) {
      m.set(outo + i, m.get(ao + i) + m.get(bo + i));
    }
  }

  static Launch launchResidualForward(BufferKind kind, int outo, int ao, int bo, int N) {
    return Launch.parallel(Launch.sig("residualForward", kind, outo, ao, bo, N),
        (s, a, ctx) -> s.task(ElementwiseKernels::residualForward, a.of(kind), outo, ao, bo, N));
  }

  // dst (N) += src (N)
  public static void accumulate(FloatArray m, int dsto, int srco, int N) {
    for (@Parallel int i = 0; i < N; i++) {
      m.set(dsto + i, m.get(dsto + i) + m.get(srco + i));
    }
  }

  static Launch launchAccumulate(BufferKind kind, int dsto, int srco, int N) {
    return Launch.parallel(Launch.sig("accumulate", kind, dsto, srco, N),
        (s, a, ctx) -> s.task(ElementwiseKernels::accumulate, a.of(kind), dsto, srco, N));
  }

  // dst (N) = src (N); callers pass non-overlapping ranges (distinct slices of the arena)
  public static void copy(FloatArray m, int dsto, int srco, int N) {
    for (@Parallel int i = 0; i < N; i++) {
      m.set(dsto + i, m.get(srco + i));
    }
  }

  static Launch launchCopy(BufferKind kind, int dsto, int srco, int N) {
    return Launch.parallel(Launch.sig("copy", kind, dsto, srco, N),
        (s, a, ctx) -> s.task(ElementwiseKernels::copy, a.of(kind), dsto, srco, N));
  }

  // x (N) = 0
  public static void zero(FloatArray m, int xo, int N) {
    for (@Parallel int i = 0; i < N; i++) {
      m.set(xo + i, 0f);
    }
  }

  static Launch launchZero(BufferKind kind, int xo, int N) {
    return Launch.parallel(Launch.sig("zero", kind, xo, N), (s, a, ctx) -> s.task(ElementwiseKernels::zero,
        a.of(kind), xo, N));
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

  static Launch launchDropoutForward(BufferKind kind, int outo, int inpo, int scalarso, float p, long seed,
      int stream, int N) {
    return Launch.parallel(Launch.sig("dropoutForward", kind, outo, inpo, scalarso, p, seed, stream, N),
        (s, a, ctx) -> s.task(ElementwiseKernels::dropoutForward, a.of(kind), outo, inpo, scalarso, p, seed, stream,
            N));
  }

  // dinp (N) = dout (N) * keep / (1 - p), written (0 where dropped), the forward pass's mask recomputed
  // from its counters
  public static void dropoutBackward(FloatArray m, int dinpo, int douto, int scalarso, float p, long seed, int stream,
      int N) {
    float scale = 1f / (1f - p);
    for (@Parallel int i = 0; i < N; i++) {
      long key = DeviceRng.key(seed, (long) m.get(scalarso + StepScalars.RNG_STEP), stream);
      boolean keep = DeviceRng.uniform(key, i) >= p;
      m.set(dinpo + i, keep ? m.get(douto + i) * scale : 0f);
    }
  }

  static Launch launchDropoutBackward(BufferKind kind, int dinpo, int douto, int scalarso, float p, long seed,
      int stream, int N) {
    return Launch.parallel(Launch.sig("dropoutBackward", kind, dinpo, douto, scalarso, p, seed, stream, N),
        (s, a, ctx) -> s.task(ElementwiseKernels::dropoutBackward, a.of(kind), dinpo, douto, scalarso, p, seed,
            stream, N));
  }
}
