package dev.jgpt.kernels;

import static dev.jgpt.kernels.Fd.added;
import static dev.jgpt.kernels.Fd.assertClose;
import static dev.jgpt.kernels.Fd.padded;
import static dev.jgpt.kernels.Fd.toDouble;
import static dev.jgpt.kernels.Fd.toFloat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every backward kernel of {@link ReferenceKernels} against central finite differences of an
 * independent double-precision forward pass ({@link DoubleForward}), on small shapes with fresh
 * random data. The loss is {@code sum(out * dout)} for a random dout, so its gradient is what the
 * backward kernel computes. Gradient buffers start with random values and arrays carry a nonzero
 * offset, which pins the offset arithmetic and, per gradient, the Backend contract: parameter
 * gradients and layer norm's dinp are added to (compared after subtracting the values before),
 * the other input gradients are written (compared as they are, so a kernel that added into them
 * would fail).
 */
class ReferenceGradientTest {
  static final int PAD = 5;
  static final double FORWARD_TOL = 2e-5;
  static final double GRAD_TOL = 2e-4;

  final long seed = TestSeed.get();
  final Random rng = new Random(seed);

  /** A random float array, padded; also returns the rounded double values in {@code exact}. */
  private float[] randomPadded(double[] exact) {
    return padded(toFloat(exact), PAD, rng);
  }

  private float[] randomGradient(int n, float[] before) {
    for (int i = 0; i < n; i++) before[i] = (float) rng.nextGaussian();
    return padded(before, PAD, rng);
  }

  @Test
  void encoderBackwardMatchesFiniteDifferences() {
    int B = 2, T = 3, C = 4, V = 5;
    int[] inp = {1, 3, 1, 4, 1, 0}; // token 1 repeats: its gradient rows must sum
    double[] wte = Fd.random(rng, V * C), wpe = Fd.random(rng, T * C), g = Fd.random(rng, B * T * C);
    float[] fdout = padded(toFloat(g), PAD, rng);
    float[] dwteBefore = new float[V * C], dwpeBefore = new float[T * C];
    float[] dwte = randomGradient(V * C, dwteBefore), dwpe = randomGradient(T * C, dwpeBefore);
    int[] inpPadded = new int[PAD + inp.length];
    System.arraycopy(inp, 0, inpPadded, PAD, inp.length);

    float[] out = new float[PAD + B * T * C];
    ReferenceKernels.encoderForward(out, PAD, inpPadded, PAD, randomPadded(wte), PAD, randomPadded(wpe), PAD, B, T, C);
    assertClose("encoder out", DoubleForward.encoder(inp, wte, wpe, B, T, C), toDouble(out, PAD, B * T * C),
        FORWARD_TOL, seed);

    ReferenceKernels.encoderBackward(dwte, PAD, dwpe, PAD, fdout, PAD, inpPadded, PAD, B, T, C);
    assertClose("dwte", Fd.gradient(x -> Fd.dot(DoubleForward.encoder(inp, x, wpe, B, T, C), g), wte),
        added(dwte, PAD, dwteBefore), GRAD_TOL, seed);
    assertClose("dwpe", Fd.gradient(x -> Fd.dot(DoubleForward.encoder(inp, wte, x, B, T, C), g), wpe),
        added(dwpe, PAD, dwpeBefore), GRAD_TOL, seed);
  }

  @Test
  void layernormBackwardMatchesFiniteDifferences() {
    int N = 3, C = 7;
    double[] inp = Fd.random(rng, N * C), w = Fd.random(rng, C), b = Fd.random(rng, C), g = Fd.random(rng, N * C);
    for (int i = 0; i < inp.length; i++) inp[i] = 2 * inp[i] + 0.5; // a row mean and scale away from 0, 1
    float[] finp = randomPadded(inp), fw = randomPadded(w), fb = randomPadded(b), fdout = randomPadded(g);
    float[] out = new float[PAD + N * C], mean = new float[PAD + N], rstd = new float[PAD + N];
    ReferenceKernels.layernormForward(out, PAD, mean, PAD, rstd, PAD, finp, PAD, fw, PAD, fb, PAD, N, C);
    assertClose("layernorm out", DoubleForward.layernorm(inp, w, b, N, C), toDouble(out, PAD, N * C),
        FORWARD_TOL, seed);

    float[] dinpBefore = new float[N * C], dwBefore = new float[C], dbBefore = new float[C];
    float[] dinp = randomGradient(N * C, dinpBefore), dw = randomGradient(C, dwBefore), db = randomGradient(C, dbBefore);
    ReferenceKernels.layernormBackward(dinp, PAD, dw, PAD, db, PAD, fdout, PAD, finp, PAD, fw, PAD, mean, PAD, rstd,
        PAD, N, C);
    assertClose("dinp", Fd.gradient(x -> Fd.dot(DoubleForward.layernorm(x, w, b, N, C), g), inp),
        added(dinp, PAD, dinpBefore), GRAD_TOL, seed);
    assertClose("dweight", Fd.gradient(x -> Fd.dot(DoubleForward.layernorm(inp, x, b, N, C), g), w),
        added(dw, PAD, dwBefore), GRAD_TOL, seed);
    assertClose("dbias", Fd.gradient(x -> Fd.dot(DoubleForward.layernorm(inp, w, x, N, C), g), b),
        added(db, PAD, dbBefore), GRAD_TOL, seed);
  }

  @Test
  void layernormBackwardWithoutBias() {
    int N = 2, C = 5;
    double[] inp = Fd.random(rng, N * C), w = Fd.random(rng, C), g = Fd.random(rng, N * C);
    float[] finp = randomPadded(inp), fw = randomPadded(w), fdout = randomPadded(g);
    float[] out = new float[PAD + N * C], mean = new float[PAD + N], rstd = new float[PAD + N];
    ReferenceKernels.layernormForward(out, PAD, mean, PAD, rstd, PAD, finp, PAD, fw, PAD, null, 0, N, C);
    assertClose("layernorm out", DoubleForward.layernorm(inp, w, null, N, C), toDouble(out, PAD, N * C),
        FORWARD_TOL, seed);
    float[] dinpBefore = new float[N * C], dwBefore = new float[C];
    float[] dinp = randomGradient(N * C, dinpBefore), dw = randomGradient(C, dwBefore);
    ReferenceKernels.layernormBackward(dinp, PAD, dw, PAD, null, 0, fdout, PAD, finp, PAD, fw, PAD, mean, PAD, rstd,
        PAD, N, C);
    assertClose("dinp", Fd.gradient(x -> Fd.dot(DoubleForward.layernorm(x, w, null, N, C), g), inp),
        added(dinp, PAD, dinpBefore), GRAD_TOL, seed);
    assertClose("dweight", Fd.gradient(x -> Fd.dot(DoubleForward.layernorm(inp, x, null, N, C), g), w),
        added(dw, PAD, dwBefore), GRAD_TOL, seed);
  }

  @Test
  void matmulBackwardMatchesFiniteDifferences() {
    int N = 4, C = 5, OC = 3;
    double[] inp = Fd.random(rng, N * C), w = Fd.random(rng, OC * C), bias = Fd.random(rng, OC);
    double[] g = Fd.random(rng, N * OC);
    float[] finp = randomPadded(inp), fw = randomPadded(w), fbias = randomPadded(bias), fdout = randomPadded(g);
    float[] out = new float[PAD + N * OC];
    ReferenceKernels.matmulForward(out, PAD, finp, PAD, fw, PAD, fbias, PAD, N, C, OC);
    assertClose("matmul out", DoubleForward.matmul(inp, w, bias, N, C, OC), toDouble(out, PAD, N * OC),
        FORWARD_TOL, seed);

    float[] dinpBefore = new float[N * C], dwBefore = new float[OC * C], dbBefore = new float[OC];
    float[] dinp = randomGradient(N * C, dinpBefore), dw = randomGradient(OC * C, dwBefore);
    float[] db = randomGradient(OC, dbBefore);
    ReferenceKernels.matmulBackward(dinp, PAD, dw, PAD, db, PAD, fdout, PAD, finp, PAD, fw, PAD, N, C, OC);
    assertClose("dinp (written)", Fd.gradient(x -> Fd.dot(DoubleForward.matmul(x, w, bias, N, C, OC), g), inp),
        toDouble(dinp, PAD, N * C), GRAD_TOL, seed);
    assertClose("dweight", Fd.gradient(x -> Fd.dot(DoubleForward.matmul(inp, x, bias, N, C, OC), g), w),
        added(dw, PAD, dwBefore), GRAD_TOL, seed);
    assertClose("dbias", Fd.gradient(x -> Fd.dot(DoubleForward.matmul(inp, w, x, N, C, OC), g), bias),
        added(db, PAD, dbBefore), GRAD_TOL, seed);
  }

  @Test
  void matmulBackwardWithoutInputOrBiasGradient() {
    int N = 3, C = 4, OC = 2;
    double[] inp = Fd.random(rng, N * C), w = Fd.random(rng, OC * C), g = Fd.random(rng, N * OC);
    float[] finp = randomPadded(inp), fw = randomPadded(w), fdout = randomPadded(g);
    float[] dwBefore = new float[OC * C];
    float[] dw = randomGradient(OC * C, dwBefore);
    ReferenceKernels.matmulBackward(null, 0, dw, PAD, null, 0, fdout, PAD, finp, PAD, fw, PAD, N, C, OC);
    assertClose("dweight", Fd.gradient(x -> Fd.dot(DoubleForward.matmul(inp, x, null, N, C, OC), g), w),
        added(dw, PAD, dwBefore), GRAD_TOL, seed);
  }

  @Test
  void attentionBackwardMatchesFiniteDifferences() {
    int B = 2, T = 4, C = 6, NH = 2;
    double[] qkv = Fd.random(rng, B * T * 3 * C), g = Fd.random(rng, B * T * C);
    float[] fqkv = randomPadded(qkv), fdout = randomPadded(g);
    float[] out = new float[PAD + B * T * C], att = new float[PAD + B * NH * T * T];
    java.util.Arrays.fill(att, Float.NaN); // entries above the diagonal must be written too
    ReferenceKernels.attentionForward(out, PAD, att, PAD, fqkv, PAD, B, T, C, NH);
    assertClose("attention out", DoubleForward.attention(qkv, B, T, C, NH), toDouble(out, PAD, B * T * C),
        FORWARD_TOL, seed);
    for (int i = 0; i < B * NH * T * T; i++) {
      int row = i / T % T, col = i % T;
      if (col > row && att[PAD + i] != 0f) throw new AssertionError("att above the diagonal is not 0 at " + i);
      if (Float.isNaN(att[PAD + i])) throw new AssertionError("att not written at " + i);
    }

    float[] dqkvBefore = new float[B * T * 3 * C];
    float[] dqkv = randomGradient(B * T * 3 * C, dqkvBefore);
    ReferenceKernels.attentionBackward(dqkv, PAD, fdout, PAD, fqkv, PAD, att, PAD, B, T, C, NH);
    assertClose("dqkv (written)", Fd.gradient(x -> Fd.dot(DoubleForward.attention(x, B, T, C, NH), g), qkv),
        toDouble(dqkv, PAD, B * T * 3 * C), GRAD_TOL, seed);
  }

  @Test
  void geluBackwardMatchesFiniteDifferences() {
    int N = 23;
    double[] x = Fd.random(rng, N), g = Fd.random(rng, N);
    for (int i = 0; i < N; i++) x[i] *= 2.5;
    float[] fx = randomPadded(x), fdout = randomPadded(g);
    float[] out = new float[PAD + N];
    ReferenceKernels.geluForward(out, PAD, fx, PAD, N);
    assertClose("gelu out", DoubleForward.gelu(x), toDouble(out, PAD, N), FORWARD_TOL, seed);
    float[] dinpBefore = new float[N];
    float[] dinp = randomGradient(N, dinpBefore);
    ReferenceKernels.geluBackward(dinp, PAD, fx, PAD, fdout, PAD, N);
    assertClose("dinp (written)", Fd.gradient(v -> Fd.dot(DoubleForward.gelu(v), g), x), toDouble(dinp, PAD, N),
        GRAD_TOL, seed);
  }

  @Test
  void dropoutBackwardMatchesFiniteDifferences() {
    int N = 40;
    float p = 0.3f;
    long dropSeed = rng.nextLong(), step = 7;
    int stream = 3;
    double[] x = Fd.random(rng, N), g = Fd.random(rng, N);
    float[] fx = randomPadded(x), fdout = randomPadded(g);
    long key = CounterRng.key(dropSeed, step, stream);
    java.util.function.Function<double[], double[]> forward = v -> {
      double[] o = new double[N];
      for (int i = 0; i < N; i++) o[i] = CounterRng.uniform(key, i) >= p ? v[i] / (1 - p) : 0;
      return o;
    };
    float[] out = new float[PAD + N];
    ReferenceKernels.dropoutForward(out, PAD, fx, PAD, p, dropSeed, step, stream, N);
    assertClose("dropout out", forward.apply(x), toDouble(out, PAD, N), FORWARD_TOL, seed);
    float[] dinpBefore = new float[N];
    float[] dinp = randomGradient(N, dinpBefore);
    ReferenceKernels.dropoutBackward(dinp, PAD, fdout, PAD, p, dropSeed, step, stream, N);
    assertClose("dinp (written)", Fd.gradient(v -> Fd.dot(forward.apply(v), g), x), toDouble(dinp, PAD, N),
        GRAD_TOL, seed);
  }

  @Test
  void crossEntropyBackwardMatchesFiniteDifferences() {
    int N = 3, V = 5, Vp = 8;
    float scale = 1f / N;
    int[] targets = {4, 0, 2};
    int[] targetsPadded = new int[PAD + N];
    System.arraycopy(targets, 0, targetsPadded, PAD, N);
    double[] logits = Fd.random(rng, N * Vp);
    for (int i = 0; i < logits.length; i++) logits[i] *= 3;
    float[] flogits = randomPadded(logits);
    float[] losses = new float[PAD + N], lossesFwdOnly = new float[PAD + N];
    ReferenceKernels.crossEntropyForward(lossesFwdOnly, PAD, flogits, PAD, targetsPadded, PAD, N, V, Vp);
    ReferenceKernels.crossEntropyForwardBackward(losses, PAD, flogits, PAD, targetsPadded, PAD, scale, N, V, Vp);
    double[] expectedLosses = DoubleForward.crossEntropy(logits, targets, N, V, Vp);
    assertClose("losses", expectedLosses, toDouble(losses, PAD, N), FORWARD_TOL, seed);
    assertClose("forward-only losses", expectedLosses, toDouble(lossesFwdOnly, PAD, N), FORWARD_TOL, seed);
    double[] numeric = Fd.gradient(
        x -> scale * java.util.Arrays.stream(DoubleForward.crossEntropy(x, targets, N, V, Vp)).sum(), logits);
    assertClose("dlogits", numeric, toDouble(flogits, PAD, N * Vp), GRAD_TOL, seed);
  }
}
