package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.FixedPointSquares;
import dev.jgpt.kernels.ReferenceKernels;
import dev.jgpt.kernels.StepScalars;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The global gradient norm and AdamW. Learning rate, Adam step, clip threshold and the norm are
 * read from the step scalars (SIZE) in device memory, so a captured update step replays unchanged
 * while they change.
 */
public final class OptimizerKernels {
  private OptimizerKernels() {}

  /** Gradients per chunk sum, as the CPU backend's: FixedPointSquares.CHUNK. */
  public static final int NORM_CHUNK = FixedPointSquares.CHUNK;

  /** Chunk sums for N gradients. */
  static int normChunks(int N) {
    return FixedPointSquares.chunks(N);
  }

  // x: partials (chunks) = sums of squares of g: grads (N), one work item per NORM_CHUNK
  // gradients, exactly as FixedPointSquares.chunkSquares (the CPU backend's): the largest square
  // sets a power-of-two scale, the scaled squares become fixed-point longs and are added. Integer sums
  // are exact in any order and immune to the relaxed-math flags TornadoVM compiles with, so the
  // device and the CPU get the same float, bit for bit (float only: no fp64 on some GPUs).
  public static void normPartials(FloatArray x, FloatArray g, int partialso, int gradso, int N) {
    int chunks = (N + NORM_CHUNK - 1) / NORM_CHUNK;
    for (@Parallel int c = 0; c < chunks; c++) {
      int from = gradso + c * NORM_CHUNK;
      int n = TornadoMath.min(N - c * NORM_CHUNK, NORM_CHUNK);
      float max = 0f;
      float plain = 0f;
      for (int i = 0; i < n; i++) {
        float s = g.get(from + i) * g.get(from + i);
        if (s > max) max = s;
        plain += s;
      }
      float result = plain; // NaN, infinite or huge: the plain sum carries it
      if (plain == plain && max == 0f) result = 0f;
      else if (plain == plain && max <= FixedPointSquares.TWO_POW_100) {
        float k = FixedPointSquares.scaleFor(max);
        long sum = 0;
        for (int i = 0; i < n; i++) sum += FixedPointSquares.fixed(g.get(from + i) * g.get(from + i) * k);
        result = (float) sum * (FixedPointSquares.inverseOf(k) * FixedPointSquares.TWO_POW_MINUS_16);
      }
      x.set(partialso + c, result);
    }
  }

  static Launch launchNormPartials(BufferKind xk, int partialso, BufferKind gk, int gradso, int N) {
    KindCheck.apart("globalNormSquared", new String[] {"scalars", "gradients"}, xk, gk);
    return Launch.parallel(Launch.sig("globalNormSquared.partials", xk, partialso, gk, gradso, N),
        (s, a, ctx) -> s.task(OptimizerKernels::normPartials, a.of(xk), a.of(gk), partialso, gradso, N));
  }

  // x: scalars[GRAD_NORM_SQ] = sum of x: partials (chunks), as FixedPointSquares.sum (the CPU
  // backend's): on integers, so in any order; one work item, so one writer
  public static void normFinish(FloatArray x, int scalarso, int partialso, int chunks) {
    for (@Parallel int one = 0; one < 1; one++) {
      float max = 0f;
      float plain = 0f;
      for (int c = 0; c < chunks; c++) {
        float v = x.get(partialso + c);
        if (v > max) max = v;
        plain += v;
      }
      float result = plain; // NaN, infinite or huge: the plain sum carries it
      if (plain == plain && max == 0f) result = 0f;
      else if (plain == plain && max <= FixedPointSquares.TWO_POW_100) {
        float k = FixedPointSquares.scaleFor(max);
        long sum = 0;
        for (int c = 0; c < chunks; c++) sum += FixedPointSquares.fixed(x.get(partialso + c) * k);
        result = (float) sum * (FixedPointSquares.inverseOf(k) * FixedPointSquares.TWO_POW_MINUS_16);
      }
      x.set(scalarso + StepScalars.GRAD_NORM_SQ, result);
    }
  }

  static Launch launchNormFinish(BufferKind kind, int scalarso, int partialso, int chunks) {
    return Launch.parallel(Launch.sig("globalNormSquared.finish", kind, scalarso, partialso, chunks),
        (s, a, ctx) -> s.task(OptimizerKernels::normFinish, a.of(kind), scalarso, partialso, chunks));
  }

  // factors (3) = {clip, 1 - beta1^t, 1 - beta2^t} for this step, from the step scalars (SIZE):
  // once per update instead of a clip and two pow() per parameter; one work item
  public static void adamwFactors(FloatArray m, int factorso, int scalarso, float beta1, float beta2) {
    for (@Parallel int one = 0; one < 1; one++) {
      float t = m.get(scalarso + StepScalars.ADAM_T);
      float maxNorm = m.get(scalarso + StepScalars.MAX_GRAD_NORM);
      float clip = 1f;
      if (maxNorm > 0f) {
        float norm = TornadoMath.sqrt(m.get(scalarso + StepScalars.GRAD_NORM_SQ));
        clip = TornadoMath.min(1f, maxNorm / (norm + ReferenceKernels.CLIP_EPS));
      }
      m.set(factorso, clip);
      m.set(factorso + 1, oneMinusPow(beta1, t));
      m.set(factorso + 2, oneMinusPow(beta2, t));
    }
  }

  static Launch launchAdamwFactors(BufferKind kind, int factorso, int scalarso, float beta1, float beta2) {
    return Launch.parallel(Launch.sig("adamw.factors", kind, factorso, scalarso, beta1, beta2),
        (s, a, ctx) -> s.task(OptimizerKernels::adamwFactors, a.of(kind), factorso, scalarso, beta1, beta2));
  }

  /** 2^62 and 2^-62, exact in float: the scale of the fixed-point powers in oneMinusPow. */
  static final float TWO_POW_62 = 4.611686E18f;
  static final float TWO_POW_MINUS_62 = 2.1684043E-19f;

  // 1 - beta^t without fp64, rounded as the CPU backend's (float) (1.0 - pow(beta, t)). Float
  // arithmetic cannot do it: 1 - pow(beta, t) cancels (beta2 = 0.999, t = 1: four digits lost) and
  // a float expm1 series is off by an ulp or two for a third of the steps (BiasCorrectionTest
  // checks this one bit for bit up to t = 200,000). So beta^t is taken in 62-bit fixed point on longs (integer
  // arithmetic, which relaxed-math flags cannot reassociate), by squaring over the bits of t; each
  // product truncates below 2^-62, far under float's last bit, and the one rounding is the final
  // long-to-float conversion (round to nearest, as the CPU's double-to-float). t is a whole step
  // count below 2^31.
  public static float oneMinusPow(float beta, float t) {
    long one = 1L << 62;
    long base = (long) (beta * TWO_POW_62);
    long power = one;
    for (int n = (int) t; n > 0; n = n >> 1) {
      if ((n & 1) != 0) power = mulFixed62(power, base);
      base = mulFixed62(base, base);
    }
    return (float) (one - power) * TWO_POW_MINUS_62;
  }

  // a * b / 2^62, truncated, for a, b in [0, 2^62]: each split in 31-bit halves so every partial
  // product stays below 2^62 and their sums below 2^63 (no overflow, all values non-negative)
  static long mulFixed62(long a, long b) {
    long ah = a >> 31;
    long al = a & 0x7fffffffL;
    long bh = b >> 31;
    long bl = b & 0x7fffffffL;
    long middle = ah * bl + al * bh;
    return ah * bh + ((middle + ((al * bl) >> 31)) >> 31);
  }

  // p: params (N), g: grads (N), o: m, v (N); x: lr from the step scalars (SIZE), clip and bias
  // corrections from factors (3): g = grads * clip; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
  // params -= lr * (mhat / (sqrt(vhat) + eps) + weightDecay * params). Every product rounded before
  // its sum (Rounding.addRounded), as the CPU backend's CpuOptimizer: the device compiler would fuse them.
  public static void adamw(FloatArray p, FloatArray g, FloatArray o, FloatArray x, int paramso, int gradso, int mo,
      int vo, int scalarso, int factorso, float beta1, float beta2, float eps, float weightDecay, int N) {
    for (@Parallel int i = 0; i < N; i++) {
      float lr = x.get(scalarso + StepScalars.LR);
      float gi = g.get(gradso + i) * x.get(factorso);
      float mi = Rounding.addRounded(beta1 * o.get(mo + i), (1f - beta1) * gi);
      float vi = Rounding.addRounded(beta2 * o.get(vo + i), (1f - beta2) * gi * gi);
      float mhat = mi / x.get(factorso + 1);
      float vhat = vi / x.get(factorso + 2);
      o.set(mo + i, mi);
      o.set(vo + i, vi);
      float param = p.get(paramso + i);
      float step = Rounding.addRounded(mhat / (TornadoMath.sqrt(vhat) + eps), weightDecay * param);
      p.set(paramso + i, param - lr * step);
    }
  }

  static Launch launchAdamw(BufferKind pk, int paramso, BufferKind gk, int gradso, BufferKind ok, int mo, int vo,
      BufferKind xk, int scalarso, int factorso, float beta1, float beta2, float eps, float weightDecay, int N) {
    KindCheck.apart("adamw", new String[] {"parameters", "gradients", "moments", "scalars"}, pk, gk, ok, xk);
    return Launch.parallel(Launch.sig("adamw", pk, paramso, gk, gradso, ok, mo, vo, xk, scalarso, factorso, beta1,
        beta2,
        eps, weightDecay, N), (s, a, ctx) -> s.task(OptimizerKernels::adamw, a.of(pk), a.of(gk), a.of(ok), a.of(xk),
            paramso, gradso, mo, vo, scalarso, factorso, beta1, beta2, eps, weightDecay, N));
  }
}
