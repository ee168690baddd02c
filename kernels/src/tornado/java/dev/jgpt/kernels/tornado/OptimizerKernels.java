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

  // partials (parts) = sums of squares of grads (N), part p summing elements p, p + parts, ...
  // (strided so neighbouring work items read neighbouring floats), accumulated in double
  public static void normPartials(FloatArray m, int partialso, int gradso, int N, int parts) {
    for (@Parallel int p = 0; p < parts; p++) {
      double sum = 0;
      for (int i = p; i < N; i += parts) {
        double g = m.get(gradso + i);
        sum += g * g;
      }
      m.set(partialso + p, (float) sum);
    }
  }

  static Launch launchNormPartials(int partialso, int gradso, int N) {
    int parts = OptimizerKernels.NORM_PARTS;
    return Launch.parallel(Launch.sig("globalNormSquared.partials", partialso, gradso, N),
        (s, m, ix, ctx) -> s.task(OptimizerKernels::normPartials, m, partialso, gradso, N, parts));
  }

  // scalars[GRAD_NORM_SQ] = sum of partials (parts); one work item, so one writer
  public static void normFinish(FloatArray m, int scalarso, int partialso, int parts) {
    for (@Parallel int one = 0; one < 1; one++) {
      double sum = 0;
      for (int p = 0; p < parts; p++) sum += m.get(partialso + p);
      m.set(scalarso + StepScalars.GRAD_NORM_SQ, (float) sum);
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
      // in double as the reference: 1 - beta2^t loses digits in float for small t
      m.set(factorso + 1, (float) (1.0 - Math.pow(beta1, t)));
      m.set(factorso + 2, (float) (1.0 - Math.pow(beta2, t)));
    }
  }

  static Launch launchAdamwFactors(int factorso, int scalarso, float beta1, float beta2) {
    return Launch.parallel(Launch.sig("adamw.factors", factorso, scalarso, beta1, beta2),
        (s, m, ix, ctx) -> s.task(OptimizerKernels::adamwFactors, m, factorso, scalarso, beta1, beta2));
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
