package dev.jgpt.kernels.tornado;

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

  /** Work items of the first pass of the norm; each sums a strided share of the gradients. */
  public static final int NORM_PARTS = 1024;

  /** Terms summed into a block sum before it joins the running sum (see normPartials). */
  public static final int NORM_BLOCK = 64;

  // partials (parts) = sums of squares of grads (N), part p summing elements p, p + parts, ...
  // (strided so neighbouring work items read neighbouring floats). Float only (Apple's OpenCL and
  // some Intel GPUs have no fp64): NORM_BLOCK terms at a time go into a block sum that then joins
  // the running sum, so rounding grows with NORM_BLOCK + n / NORM_BLOCK instead of n terms, a
  // shape that OpenCL's relaxed-math reassociation (TornadoVM's default flags) cannot undo.
  public static void normPartials(FloatArray m, int partialso, int gradso, int N, int parts) {
    for (@Parallel int p = 0; p < parts; p++) {
      float sum = 0f;
      int stride = parts * NORM_BLOCK;
      for (int start = p; start < N; start += stride) {
        float block = 0f;
        int end = TornadoMath.min(N, start + stride);
        for (int i = start; i < end; i += parts) {
          float g = m.get(gradso + i);
          block += g * g;
        }
        sum += block;
      }
      m.set(partialso + p, sum);
    }
  }

  static Launch launchNormPartials(int partialso, int gradso, int N) {
    int parts = OptimizerKernels.NORM_PARTS;
    return Launch.parallel(Launch.sig("globalNormSquared.partials", partialso, gradso, N),
        (s, m, ix, ctx) -> s.task(OptimizerKernels::normPartials, m, partialso, gradso, N, parts));
  }

  // scalars[GRAD_NORM_SQ] = sum of partials (parts), in blocks of NORM_BLOCK as normPartials; one
  // work item, so one writer
  public static void normFinish(FloatArray m, int scalarso, int partialso, int parts) {
    for (@Parallel int one = 0; one < 1; one++) {
      float sum = 0f;
      for (int start = 0; start < parts; start += NORM_BLOCK) {
        float block = 0f;
        int end = TornadoMath.min(parts, start + NORM_BLOCK);
        for (int p = start; p < end; p++) block += m.get(partialso + p);
        sum += block;
      }
      m.set(scalarso + StepScalars.GRAD_NORM_SQ, sum);
    }
  }

  static Launch launchNormFinish(int scalarso, int partialso) {
    int parts = OptimizerKernels.NORM_PARTS;
    return Launch.parallel(Launch.sig("globalNormSquared.finish", scalarso, partialso),
        (s, m, ix, ctx) -> s.task(OptimizerKernels::normFinish, m, scalarso, partialso, parts));
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

  static Launch launchAdamwFactors(int factorso, int scalarso, float beta1, float beta2) {
    return Launch.parallel(Launch.sig("adamw.factors", factorso, scalarso, beta1, beta2),
        (s, m, ix, ctx) -> s.task(OptimizerKernels::adamwFactors, m, factorso, scalarso, beta1, beta2));
  }

  // 1 - beta^t in float without fp64: -expm1(t * log(beta)). 1 - pow(beta, t) would cancel (beta2 =
  // 0.999, t = 1: 0.001 from two numbers near 1, four digits lost); for |x| < 0.5 expm1 is summed
  // as its series (terms fall by at least half each time, 16 reach float's last bit), beyond that
  // exp(x) - 1 loses nothing.
  public static float oneMinusPow(float beta, float t) {
    float x = t * TornadoMath.log(beta);
    float expm1;
    if (x > -0.5f) {
      float term = x;
      float sum = x;
      for (int k = 2; k <= 16; k++) {
        term = term * x / k;
        sum += term;
      }
      expm1 = sum;
    } else {
      expm1 = TornadoMath.exp(x) - 1f;
    }
    return -expm1;
  }

  // params, grads, m, v (N); lr from the step scalars (SIZE), clip and bias corrections from
  // factors (3): g = grads * clip; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
  // params -= lr * (mhat / (sqrt(vhat) + eps) + weightDecay * params)
  public static void adamw(FloatArray m, int paramso, int gradso, int mo, int vo, int scalarso, int factorso,
      float beta1, float beta2, float eps, float weightDecay, int N) {
    for (@Parallel int i = 0; i < N; i++) {
      float lr = m.get(scalarso + StepScalars.LR);
      float g = m.get(gradso + i) * m.get(factorso);
      float mi = beta1 * m.get(mo + i) + (1f - beta1) * g;
      float vi = beta2 * m.get(vo + i) + (1f - beta2) * g * g;
      float mhat = mi / m.get(factorso + 1);
      float vhat = vi / m.get(factorso + 2);
      m.set(mo + i, mi);
      m.set(vo + i, vi);
      float param = m.get(paramso + i);
      m.set(paramso + i, param - lr * (mhat / (TornadoMath.sqrt(vhat) + eps) + weightDecay * param));
    }
  }

  static Launch launchAdamw(int paramso, int gradso, int mo, int vo, int scalarso, int factorso, float beta1, float beta2,
      float eps, float weightDecay, int N) {
    return Launch.parallel(Launch.sig("adamw", paramso, gradso, mo, vo, scalarso, factorso, beta1, beta2, eps, weightDecay,
        N), (s, m, ix, ctx) -> s.task(OptimizerKernels::adamw, m, paramso, gradso, mo, vo, scalarso, factorso, beta1,
            beta2, eps, weightDecay, N));
  }
}
