package dev.jgpt.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Behaviour every {@link Backend} must show through the SPI: hand-computed AdamW steps, the
 * step scalars, decode forms agreeing with the training forms, copies, and clear errors for
 * wrong shapes. A subclass per backend supplies {@link #create()}; the tests run it wrapped in
 * {@link CheckedBackend}, as {@link Backends#open} hands it out.
 */
abstract class BackendContractTest {
  abstract Backend create();

  Backend be;
  final long seed = TestSeed.get();
  final Random rng = new Random(seed);

  @BeforeEach
  void open() {
    be = CheckedBackend.wrap(create());
  }

  @AfterEach
  void close() {
    be.close();
  }

  /**
   * The kind a buffer is allocated with, from its name, as the model allocates them (a device
   * backend keeps weights, gradients and moments apart from activations; heap backends ignore it).
   */
  static BufferKind kindOf(String name) {
    return switch (name) {
      case "params", "wte", "wpe" -> BufferKind.PARAMETERS;
      case "grads" -> BufferKind.GRADIENTS;
      case "m", "v", "m2", "v2" -> BufferKind.OPTIMIZER_STATE;
      default -> BufferKind.ACTIVATIONS;
    };
  }

  FloatBuf buf(String name, float... values) {
    FloatBuf b = be.allocFloat(name, values.length, kindOf(name));
    be.write(b, 0, values, 0, values.length);
    return b;
  }

  FloatBuf randomBuf(String name, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
    return buf(name, v);
  }

  FloatBuf scaledBuf(String name, int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = scale * (float) rng.nextGaussian();
    return buf(name, v);
  }

  float[] read(FloatBuf b) {
    float[] v = new float[b.size()];
    be.read(b, 0, v, 0, v.length);
    return v;
  }

  float[] read(Slice s) {
    float[] v = new float[s.length()];
    be.read(s.buf(), s.offset(), v, 0, v.length);
    return v;
  }

  IntBuf ints(int... values) {
    IntBuf b = be.allocInt("ints", values.length);
    be.write(b, 0, values, 0, values.length);
    return b;
  }

  FloatBuf scalars(float lr, float t, float maxGradNorm) {
    float[] s = new float[StepScalars.SIZE];
    s[StepScalars.LR] = lr;
    s[StepScalars.ADAM_T] = t;
    s[StepScalars.MAX_GRAD_NORM] = maxGradNorm;
    return buf("scalars", s);
  }

  // ---------------------------------------------------------------- AdamW by hand

  @Test
  void adamwFirstAndSecondStepMatchHandComputedValues() {
    FloatBuf params = buf("params", 1f, -2f);
    FloatBuf grads = buf("grads", 0.5f, 0.1f);
    FloatBuf m = be.allocFloat("m", 2, BufferKind.OPTIMIZER_STATE);
    FloatBuf v = be.allocFloat("v", 2, BufferKind.OPTIMIZER_STATE);
    FloatBuf s = scalars(0.1f, 1f, 0f);
    // t=1, lr=0.1, b1=0.9, b2=0.999, wd=0.1, no clipping:
    // p0: m=0.05, v=0.00025, mhat=0.5, vhat=0.25, step=0.5/0.5=1 -> 1 - 0.1*(1 + 0.1*1) = 0.89
    // p1: m=0.01, v=0.00001, mhat=0.1, vhat=0.01, step=1 -> -2 - 0.1*(1 + 0.1*-2) = -2.08
    be.adamw(params.all(), grads.all(), m.all(), v.all(), s.all(), 0.9f, 0.999f, 1e-8f, 0.1f, 2);
    assertArrayEquals(new float[] {0.89f, -2.08f}, read(params), 1e-6f);
    assertRelative(new float[] {0.05f, 0.01f}, read(m), 1e-6);
    assertRelative(new float[] {0.00025f, 0.00001f}, read(v), 3e-5);

    // t=2, grads (-0.5, 0.1), wd=0:
    // p0: m=0.045-0.05=-0.005, v=0.00024975+0.00025=0.00049975; 1-b1^2=0.19, 1-b2^2=0.001999
    //     mhat=-0.0263157895, vhat=0.25 -> 0.89 + 0.1*0.0526315789 = 0.8952631579
    // p1: m=0.009+0.01=0.019, v=0.00000999+0.00001=0.00001999; mhat=0.1, vhat=0.01 -> -2.08 - 0.1 = -2.18
    be.write(grads, 0, new float[] {-0.5f, 0.1f}, 0, 2);
    be.write(s, StepScalars.ADAM_T, new float[] {2f}, 0, 1);
    be.adamw(params.all(), grads.all(), m.all(), v.all(), s.all(), 0.9f, 0.999f, 1e-8f, 0f, 2);
    assertArrayEquals(new float[] {0.8952631579f, -2.18f}, read(params), 2e-6f);
    assertRelative(new float[] {-0.005f, 0.019f}, read(m), 1e-5);
    assertRelative(new float[] {0.00049975f, 0.00001999f}, read(v), 3e-5);
  }

  @Test
  void adamwClipsByTheGlobalNormFromTheScalars() {
    FloatBuf params = buf("params", 0f, 0f);
    FloatBuf grads = buf("grads", 3f, 4f); // norm 5
    FloatBuf m = be.allocFloat("m", 2, BufferKind.OPTIMIZER_STATE);
    FloatBuf v = be.allocFloat("v", 2, BufferKind.OPTIMIZER_STATE);
    FloatBuf s = scalars(0.01f, 1f, 1f);
    be.globalNormSquared(s.all(), grads.all(), 2);
    assertEquals(25f, read(s)[StepScalars.GRAD_NORM_SQ], 1e-5f);
    // clip = 1 / (5 + 1e-6): g = (0.6, 0.8); m = 0.1 g; v = 0.001 g^2; the step is sign(g) * lr
    be.adamw(params.all(), grads.all(), m.all(), v.all(), s.all(), 0.9f, 0.999f, 1e-8f, 0f, 2);
    assertRelative(new float[] {0.06f, 0.08f}, read(m), 1e-5);
    assertRelative(new float[] {0.00036f, 0.00064f}, read(v), 3e-5);
    assertArrayEquals(new float[] {-0.01f, -0.01f}, read(params), 1e-7f);

    // A threshold above the norm leaves the gradient alone.
    FloatBuf m2 = be.allocFloat("m2", 2, BufferKind.OPTIMIZER_STATE);
    FloatBuf v2 = be.allocFloat("v2", 2, BufferKind.OPTIMIZER_STATE);
    be.write(s, StepScalars.MAX_GRAD_NORM, new float[] {10f}, 0, 1);
    be.adamw(params.all(), grads.all(), m2.all(), v2.all(), s.all(), 0.9f, 0.999f, 1e-8f, 0f, 2);
    assertRelative(new float[] {0.3f, 0.4f}, read(m2), 1e-5);
  }

  @Test
  void globalNormSquaredSumsEverySquare() {
    int n = 1037;
    float[] g = new float[n];
    double expected = 0;
    for (int i = 0; i < n; i++) {
      g[i] = (float) rng.nextGaussian();
      expected += (double) g[i] * g[i];
    }
    FloatBuf grads = buf("grads", g);
    FloatBuf s = scalars(0f, 1f, 0f);
    be.globalNormSquared(s.all(), grads.all(), n);
    assertEquals(expected, read(s)[StepScalars.GRAD_NORM_SQ], expected * 1e-5, "seed " + seed);
  }

  // ---------------------------------------------------------------- decode forms

  @Test
  void attentionDecodeReproducesTheTrainingForwardRowByRow() {
    int T = 5, C = 8, NH = 2, maxT = 7;
    FloatBuf qkv = randomBuf("qkv", T * 3 * C);
    FloatBuf out = be.allocFloat("out", T * C), att = be.allocFloat("att", NH * T * T);
    be.attentionForward(out.all(), att.all(), qkv.all(), 1, T, C, NH);
    float[] expected = read(out);

    FloatBuf kcache = be.allocFloat("kcache", maxT * C), vcache = be.allocFloat("vcache", maxT * C);
    FloatBuf decOut = be.allocFloat("decOut", C), decAtt = be.allocFloat("decAtt", NH * maxT);
    IntBuf pos = be.allocInt("pos", 1);
    for (int p = 0; p < T; p++) {
      be.write(pos, 0, new int[] {p}, 0, 1);
      be.attentionDecode(decOut.all(), decAtt.all(), qkv.slice(p * 3 * C, 3 * C), kcache.all(), vcache.all(), pos,
          maxT, C, NH);
      float[] row = read(decOut);
      for (int c = 0; c < C; c++) assertEquals(expected[p * C + c], row[c], 1e-5f, "pos " + p + " channel " + c);
    }
  }

  @Test
  void encoderDecodeMatchesEncoderForward() {
    int V = 6, C = 5, T = 4;
    FloatBuf wte = randomBuf("wte", V * C), wpe = randomBuf("wpe", T * C);
    FloatBuf out = be.allocFloat("out", T * C), dec = be.allocFloat("dec", C);
    IntBuf tokens = ints(5, 0, 3, 3);
    be.encoderForward(out.all(), tokens, wte.all(), wpe.all(), 1, T, C);
    float[] expected = read(out);
    be.encoderDecode(dec.all(), ints(3), ints(2), wte.all(), wpe.all(), C);
    float[] row = read(dec);
    for (int c = 0; c < C; c++) assertEquals(expected[2 * C + c], row[c], 0f);
  }

  // ---------------------------------------------------------------- softmax, dropout, copies

  @Test
  void softmaxRowsSumToOneAndPaddingIsZero() {
    int N = 3, V = 5, Vp = 8;
    FloatBuf logits = randomBuf("logits", N * Vp), probs = be.allocFloat("probs", N * Vp);
    be.write(probs, 0, nan(N * Vp), 0, N * Vp);
    be.softmaxForward(probs.all(), logits.all(), N, V, Vp);
    float[] p = read(probs);
    for (int n = 0; n < N; n++) {
      float sum = 0;
      for (int i = 0; i < V; i++) sum += p[n * Vp + i];
      assertEquals(1f, sum, 1e-6f);
      for (int i = V; i < Vp; i++) assertEquals(0f, p[n * Vp + i]);
    }
  }

  @Test
  void crossEntropyOfUniformLogitsIsLogV() {
    int N = 2, V = 7, Vp = 7;
    FloatBuf logits = buf("logits", new float[N * Vp]), losses = be.allocFloat("losses", N);
    be.crossEntropyForward(losses.all(), logits.all(), ints(1, 6), N, V, Vp);
    assertArrayEquals(new float[] {(float) Math.log(V), (float) Math.log(V)}, read(losses), 1e-6f);
  }

  @Test
  void dropoutKeepsTheFractionOneMinusPAndScales() {
    int N = 20_000;
    float p = 0.25f;
    float[] ones = new float[N];
    java.util.Arrays.fill(ones, 1f);
    FloatBuf inp = buf("inp", ones), out = be.allocFloat("out", N), s = scalars(0f, 1f, 0f);
    be.dropoutForward(out.all(), inp.all(), s.all(), p, 42L, 1, N);
    float[] o = read(out);
    int kept = 0;
    for (float x : o) {
      if (x != 0f) {
        assertEquals(1f / (1f - p), x, 1e-6f);
        kept++;
      }
    }
    assertEquals(0.75, kept / (double) N, 0.02);
    be.dropoutForward(out.all(), inp.all(), s.all(), 0f, 42L, 1, N);
    assertArrayEquals(ones, read(out));
  }

  @Test
  void dropoutMaskDependsOnTheStepScalar() {
    int N = 64;
    FloatBuf inp = randomBuf("inp", N), out = be.allocFloat("out", N), s = scalars(0f, 1f, 0f);
    be.dropoutForward(out.all(), inp.all(), s.all(), 0.5f, 7L, 0, N);
    float[] first = read(out);
    be.write(s, StepScalars.RNG_STEP, new float[] {1f}, 0, 1);
    be.dropoutForward(out.all(), inp.all(), s.all(), 0.5f, 7L, 0, N);
    assertTrue(!java.util.Arrays.equals(first, read(out)), "step 1 must draw a different mask than step 0");
  }

  @Test
  void copyZeroResidualAndAccumulateWorkOnSlices() {
    FloatBuf a = buf("a", 1, 2, 3, 4, 5, 6);
    FloatBuf b = buf("b", 10, 20, 30, 40, 50, 60);
    be.copy(b.slice(1, 2), a.slice(3, 2));
    assertArrayEquals(new float[] {10, 4, 5, 40, 50, 60}, read(b));
    be.accumulate(b.slice(0, 3), a.slice(0, 3), 3);
    assertArrayEquals(new float[] {11, 6, 8, 40, 50, 60}, read(b));
    be.residualForward(a.slice(4, 2), b.slice(0, 2), b.slice(4, 2), 2);
    assertArrayEquals(new float[] {1, 2, 3, 4, 61, 66}, read(a));
    be.zero(a.slice(1, 3));
    assertArrayEquals(new float[] {1, 0, 0, 0, 61, 66}, read(a));
  }

  // ---------------------------------------------------------------- backward: written and added gradients

  /** Floats of NaN kept on each side of a gradient slice: an op must not write outside its slice. */
  static final int GUARD = 3;

  /**
   * The input gradient that {@code op} computes into a slice of n floats (between NaN guards) that
   * held {@code before} in every element. Runs op once per call on a fresh buffer.
   */
  float[] inputGradient(String what, float before, int n, java.util.function.Consumer<Slice> op) {
    FloatBuf d = be.allocFloat("dacts", n + 2 * GUARD);
    float[] init = nan(n + 2 * GUARD);
    java.util.Arrays.fill(init, GUARD, GUARD + n, before);
    be.write(d, 0, init, 0, init.length);
    op.accept(d.slice(GUARD, n));
    float[] all = read(d);
    for (int i = 0; i < GUARD; i++) {
      assertTrue(Float.isNaN(all[i]) && Float.isNaN(all[GUARD + n + i]), what + " wrote outside its slice");
    }
    return java.util.Arrays.copyOfRange(all, GUARD, GUARD + n);
  }

  /**
   * An input gradient the contract says is written: the op's result over NaN garbage equals its
   * result over zeros (up to the sign of a zero), so no caller needs to zero it first.
   */
  void assertWritten(String what, int n, java.util.function.Consumer<Slice> op) {
    float[] overZeros = inputGradient(what, 0f, n, op);
    float[] overGarbage = inputGradient(what, Float.NaN, n, op);
    for (int i = 0; i < n; i++) {
      assertTrue(!Float.isNaN(overZeros[i]), what + "[" + i + "] is NaN over zeros (seed " + seed + ")");
      // delta 0: equal values, +0 and -0 included
      assertEquals(overZeros[i], overGarbage[i], 0f, what + "[" + i + "] over NaN (seed " + seed + ")");
    }
  }

  @Test
  void matmulBackwardWritesDinpAndAddsIntoTheWeightAndBiasGradients() {
    // OC = 300: more than one K block of the CPU's blocked product (the first writes, later ones add)
    int N = 13, C = 20, OC = 300;
    FloatBuf inp = randomBuf("inp", N * C), dout = randomBuf("dout", N * OC), weight = randomBuf("params", OC * C);
    FloatBuf dweight = be.allocFloat("grads", OC * C, BufferKind.GRADIENTS);
    FloatBuf dbias = be.allocFloat("grads", OC, BufferKind.GRADIENTS);
    assertWritten("matmulBackward dinp", N * C, dinp -> be.matmulBackward(dinp, dweight.all(), dbias.all(),
        dout.all(), inp.all(), weight.all(), N, C, OC));
    // Two calls so far: the parameter gradients hold the sum of both, twice one call's.
    float[] twice = read(dweight), twiceBias = read(dbias);
    be.zero(dweight.all());
    be.zero(dbias.all());
    be.matmulBackward(null, dweight.all(), dbias.all(), dout.all(), inp.all(), weight.all(), N, C, OC);
    float[] once = read(dweight), onceBias = read(dbias);
    for (int i = 0; i < once.length; i++) assertEquals(2 * once[i], twice[i], 1e-5f * Math.max(1f, Math.abs(once[i])));
    for (int i = 0; i < OC; i++) assertEquals(2 * onceBias[i], twiceBias[i], 1e-5f * Math.max(1f, Math.abs(onceBias[i])));
  }

  @Test
  void matmulForwardGeluGivesTheMatmulThenGeluBitForBit() {
    // N = 37: a ragged last row tile; OC = 72: a ragged last column panel at every vector width;
    // C = 300: two K blocks on the CPU (GELU only after the last); N = 3: the CPU's gemv path
    for (int N : new int[] {37, 3}) {
      int C = 300, OC = 72;
      FloatBuf inp = randomBuf("inp", N * C), weight = scaledBuf("params", OC * C, 0.1f), bias = randomBuf("params", OC);
      FloatBuf pre = be.allocFloat("pre", N * OC), out = be.allocFloat("out", N * OC);
      be.matmulForward(pre.all(), inp.all(), weight.all(), bias.all(), N, C, OC);
      be.geluForward(out.all(), pre.all(), N * OC);
      FloatBuf fusedPre = be.allocFloat("pre2", N * OC), fusedOut = be.allocFloat("out2", N * OC);
      be.matmulForwardGelu(fusedPre.all(), fusedOut.all(), inp.all(), weight.all(), bias.all(), N, C, OC);
      assertArrayEquals(read(pre), read(fusedPre), "pre, N = " + N + " (seed " + seed + ")");
      assertArrayEquals(read(out), read(fusedOut), "GELU(pre), N = " + N + " (seed " + seed + ")");
    }
  }

  @Test
  void matmulBackwardGeluGivesTheMatmulBackwardThenGeluBackwardBitForBit() {
    // the MLP projection's shape in small: C = 72 (its 4C) ragged in panels, OC = 300 two K blocks of dinp
    int N = 37, C = 72, OC = 300;
    FloatBuf pre = randomBuf("pre", N * C), inp = be.allocFloat("inp", N * C);
    be.geluForward(inp.all(), pre.all(), N * C);
    FloatBuf dout = randomBuf("dout", N * OC), weight = scaledBuf("params", OC * C, 0.1f);
    FloatBuf dinp = be.allocFloat("dinp", N * C), dpre = be.allocFloat("dpre", N * C);
    // parameter gradients in their own buffer kind, as a model allocates them (TornadoVM checks it)
    FloatBuf dweight = be.allocFloat("grads", OC * C, BufferKind.GRADIENTS), dbias = randomBuf("grads", OC);
    float[] dbiasBefore = read(dbias);
    be.matmulBackward(dinp.all(), dweight.all(), dbias.all(), dout.all(), inp.all(), weight.all(), N, C, OC);
    be.geluBackward(dpre.all(), pre.all(), dinp.all(), N * C);
    float[] expected = read(dpre), expectedWeight = read(dweight), expectedBias = read(dbias);

    FloatBuf scratch = be.allocFloat("dinp2", N * C), dweight2 = be.allocFloat("grads", OC * C, BufferKind.GRADIENTS);
    FloatBuf dbias2 = buf("grads", dbiasBefore);
    float[] fused = inputGradient("matmulBackwardGelu dpre", Float.NaN, N * C, d -> be.matmulBackwardGelu(d,
        scratch.all(), dweight2.all(), dbias2.all(), dout.all(), inp.all(), weight.all(), pre.all(), N, C, OC));
    assertArrayEquals(expected, fused, "dpre over NaN (seed " + seed + ")");
    assertArrayEquals(expectedWeight, read(dweight2), "dweight (seed " + seed + ")");
    assertArrayEquals(expectedBias, read(dbias2), "dbias (seed " + seed + ")");

    // dpre in inp's own memory, as where layers share their gradient buffers
    FloatBuf shared = be.allocFloat("shared", N * C), dweight3 = be.allocFloat("grads", OC * C, BufferKind.GRADIENTS);
    be.copy(shared.all(), inp.all());
    be.matmulBackwardGelu(shared.all(), scratch.all(), dweight3.all(), null, dout.all(), shared.all(), weight.all(),
        pre.all(), N, C, OC);
    assertArrayEquals(expected, read(shared), "dpre over inp (seed " + seed + ")");
    assertArrayEquals(expectedWeight, read(dweight3), "dweight with dpre over inp (seed " + seed + ")");
  }

  /** GELU'(pre) as geluBackward gives it for an output gradient of ones: the slope's bits. */
  private float[] geluSlopeOf(FloatBuf pre, int n) {
    float[] ones = new float[n];
    java.util.Arrays.fill(ones, 1f);
    FloatBuf slope = be.allocFloat("slope", n);
    be.geluBackward(slope.all(), pre.all(), buf("ones", ones).all(), n);
    return read(slope);
  }

  @Test
  void matmulForwardGeluSlopeGivesGeluAndItsSlopeBitForBit() {
    for (int N : new int[] {37, 3}) { // as matmulForwardGelu's test: ragged tiles, two K blocks, the gemv path
      int C = 300, OC = 72;
      FloatBuf inp = randomBuf("inp", N * C), weight = scaledBuf("params", OC * C, 0.1f), bias = randomBuf("params", OC);
      FloatBuf slope = be.allocFloat("slope2", N * OC), out = be.allocFloat("out2", N * OC);
      if (!be.keepsGeluSlope()) {
        assertThrows(UnsupportedOperationException.class, () -> be.matmulForwardGeluSlope(slope.all(), out.all(),
            inp.all(), weight.all(), bias.all(), N, C, OC));
        return;
      }
      FloatBuf pre = be.allocFloat("pre", N * OC), gelu = be.allocFloat("out", N * OC);
      be.matmulForwardGelu(pre.all(), gelu.all(), inp.all(), weight.all(), bias.all(), N, C, OC);
      be.matmulForwardGeluSlope(slope.all(), out.all(), inp.all(), weight.all(), bias.all(), N, C, OC);
      assertArrayEquals(read(gelu), read(out), "GELU(pre), N = " + N + " (seed " + seed + ")");
      assertArrayEquals(geluSlopeOf(pre, N * OC), read(slope), "GELU'(pre), N = " + N + " (seed " + seed + ")");
    }
  }

  @Test
  void matmulBackwardGeluSlopeGivesMatmulBackwardGeluBitForBit() {
    int N = 37, C = 72, OC = 300; // as matmulBackwardGelu's test
    FloatBuf pre = randomBuf("pre", N * C), inp = be.allocFloat("inp", N * C);
    be.geluForward(inp.all(), pre.all(), N * C);
    FloatBuf slope = buf("slope", geluSlopeOf(pre, N * C));
    FloatBuf dout = randomBuf("dout", N * OC), weight = scaledBuf("params", OC * C, 0.1f);
    FloatBuf dpre = be.allocFloat("dpre", N * C), scratch = be.allocFloat("dinp", N * C);
    FloatBuf dweight = be.allocFloat("grads", OC * C, BufferKind.GRADIENTS), dbias = randomBuf("grads", OC);
    float[] dbiasBefore = read(dbias);
    if (!be.keepsGeluSlope()) {
      assertThrows(UnsupportedOperationException.class, () -> be.matmulBackwardGeluSlope(dpre.all(), scratch.all(),
          dweight.all(), dbias.all(), dout.all(), inp.all(), weight.all(), slope.all(), N, C, OC));
      return;
    }
    be.matmulBackwardGelu(dpre.all(), scratch.all(), dweight.all(), dbias.all(), dout.all(), inp.all(), weight.all(),
        pre.all(), N, C, OC);
    float[] expected = read(dpre), expectedWeight = read(dweight), expectedBias = read(dbias);

    FloatBuf dweight2 = be.allocFloat("grads", OC * C, BufferKind.GRADIENTS), dbias2 = buf("grads", dbiasBefore);
    float[] fromSlope = inputGradient("matmulBackwardGeluSlope dpre", Float.NaN, N * C, d -> be.matmulBackwardGeluSlope(
        d, scratch.all(), dweight2.all(), dbias2.all(), dout.all(), inp.all(), weight.all(), slope.all(), N, C, OC));
    assertArrayEquals(expected, fromSlope, "dpre over NaN (seed " + seed + ")");
    assertArrayEquals(expectedWeight, read(dweight2), "dweight (seed " + seed + ")");
    assertArrayEquals(expectedBias, read(dbias2), "dbias (seed " + seed + ")");

    // dpre in inp's own memory, as where layers share their gradient buffers
    FloatBuf shared = be.allocFloat("shared", N * C), dweight3 = be.allocFloat("grads", OC * C, BufferKind.GRADIENTS);
    be.copy(shared.all(), inp.all());
    be.matmulBackwardGeluSlope(shared.all(), scratch.all(), dweight3.all(), null, dout.all(), shared.all(),
        weight.all(), slope.all(), N, C, OC);
    assertArrayEquals(expected, read(shared), "dpre over inp (seed " + seed + ")");
    assertArrayEquals(expectedWeight, read(dweight3), "dweight with dpre over inp (seed " + seed + ")");
  }

  @Test
  void attentionBackwardWritesAllOfDqkv() {
    int B = 2, T = 11, C = 12, NH = 3;
    FloatBuf qkv = randomBuf("qkv", B * T * 3 * C), dout = randomBuf("dout", B * T * C);
    FloatBuf out = be.allocFloat("out", B * T * C), att = be.allocFloat("att", B * NH * T * T);
    be.attentionForward(out.all(), att.all(), qkv.all(), B, T, C, NH);
    assertWritten("attentionBackward dqkv", B * T * 3 * C,
        dqkv -> be.attentionBackward(dqkv, dout.all(), qkv.all(), att.all(), B, T, C, NH));
  }

  @Test
  void geluAndDropoutBackwardWriteDinp() {
    int N = 1037;
    FloatBuf x = randomBuf("x", N), dout = randomBuf("dout", N), s = scalars(0f, 1f, 0f);
    assertWritten("geluBackward dinp", N, dinp -> be.geluBackward(dinp, x.all(), dout.all(), N));
    assertWritten("dropoutBackward dinp", N,
        dinp -> be.dropoutBackward(dinp, dout.all(), s.all(), 0.3f, 99L, 2, N));
  }

  @Test
  void layernormBackwardAddsIntoTheResidualGradient() {
    int N = 5, C = 24;
    FloatBuf inp = randomBuf("inp", N * C), dout = randomBuf("dout", N * C);
    FloatBuf weight = randomBuf("params", C), bias = randomBuf("params", C);
    FloatBuf out = be.allocFloat("out", N * C), mean = be.allocFloat("mean", N), rstd = be.allocFloat("rstd", N);
    FloatBuf dweight = be.allocFloat("grads", C, BufferKind.GRADIENTS);
    FloatBuf dbias = be.allocFloat("grads", C, BufferKind.GRADIENTS);
    be.layernormForward(out.all(), mean.all(), rstd.all(), inp.all(), weight.all(), bias.all(), N, C);
    java.util.function.Consumer<Slice> backward = dinp -> be.layernormBackward(dinp, dweight.all(), dbias.all(),
        dout.all(), inp.all(), weight.all(), mean.all(), rstd.all(), N, C);
    float[] fromZero = inputGradient("layernormBackward dinp", 0f, N * C, backward);
    float[] fromOne = inputGradient("layernormBackward dinp", 1f, N * C, backward);
    for (int i = 0; i < N * C; i++) {
      assertEquals(fromZero[i] + 1f, fromOne[i], 1e-5f, "dinp[" + i + "] is added to (seed " + seed + ")");
    }
  }

  // ---------------------------------------------------------------- 16-bit weights

  /**
   * matmulForwardBf16 is the F32 matmul of the weights rounded to bf16 (up to the order of the
   * sums), and within bf16's rounding of the F32 matmul of the weights themselves. Shapes: odd C
   * (a padded last pair), C past a vector's tail, a few rows.
   */
  @Test
  void bf16MatmulIsTheMatmulOfTheRoundedWeights() {
    if (!be.supportsBf16Weights()) return; // optional op
    int[][] shapes = {{1, 768, 50}, {1, 37, 21}, {3, 70, 9}, {2, 1, 3}};
    for (int[] shape : shapes) {
      int N = shape[0], C = shape[1], OC = shape[2];
      float[] w = new float[OC * C];
      for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian() * 0.05f;
      int[] packed = Bf16.packRows(w, 0, OC, C);
      float[] rounded = new float[w.length];
      for (int o = 0; o < OC; o++) for (int c = 0; c < C; c++) rounded[o * C + c] = Bf16.unpack(packed, 0, C, o, c);
      IntBuf w16 = be.allocInt("w16", packed.length);
      be.write(w16, 0, packed, 0, packed.length);
      FloatBuf inp = randomBuf("inp", N * C), bias = randomBuf("bias", OC), wRounded = buf("w", rounded),
          wExact = buf("wExact", w);
      FloatBuf out = be.allocFloat("out", N * OC), want = be.allocFloat("want", N * OC),
          exact = be.allocFloat("exact", N * OC);
      be.matmulForwardBf16(out.all(), inp.all(), w16, bias.all(), N, C, OC);
      be.matmulForward(want.all(), inp.all(), wRounded.all(), bias.all(), N, C, OC);
      be.matmulForward(exact.all(), inp.all(), wExact.all(), bias.all(), N, C, OC);
      float[] got = read(out), expected = read(want), f32 = read(exact);
      float[] x = read(inp);
      for (int n = 0; n < N; n++) {
        for (int o = 0; o < OC; o++) {
          double scale = 0; // sum of |x w|: what rounding errors scale with
          for (int c = 0; c < C; c++) scale += Math.abs(x[n * C + c] * w[o * C + c]);
          int i = n * OC + o;
          String at = "N=" + N + " C=" + C + " OC=" + OC + " [" + n + "," + o + "]";
          assertEquals(expected[i], got[i], 1e-5 * (scale + 1), at + " vs F32 of the rounded weights");
          assertEquals(f32[i], got[i], 0x1p-8 * scale + 1e-5, at + " vs F32 of the weights");
        }
      }
      be.matmulForwardBf16(out.all(), inp.all(), w16, null, N, C, OC);
      got = read(out);
      float[] b = read(bias);
      for (int n = 0; n < N; n++) {
        for (int o = 0; o < OC; o++) assertEquals(expected[n * OC + o] - b[o], got[n * OC + o], 1e-4, "no bias");
      }
    }
  }

  @Test
  void bf16MatmulWithAWeightOfTheWrongSizeFailsWithAClearMessage() {
    if (!be.supportsBf16Weights()) return;
    FloatBuf x = be.allocFloat("acts", 20);
    IntBuf w = be.allocInt("w16", 5); // (OC=3, packedCols(C=3)=2) needs 6
    var e = assertThrows(IllegalArgumentException.class,
        () -> be.matmulForwardBf16(x.slice(0, 3), x.slice(3, 3), w, null, 1, 3, 3));
    assertTrue(e.getMessage().contains("matmulForwardBf16 weight") && e.getMessage().contains("needs 6 ints"),
        e.getMessage());
  }

  // ---------------------------------------------------------------- errors

  @Test
  void wrongShapesFailWithAClearMessage() {
    FloatBuf x = be.allocFloat("acts", 20);
    var e = assertThrows(IllegalArgumentException.class,
        () -> be.matmulForward(x.slice(0, 6), x.all(), x.all(), null, 2, 3, 5));
    assertTrue(e.getMessage().contains("matmulForward out (N,OC)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> be.attentionForward(x.all(), x.all(), x.all(), 1, 1, 3, 2));
    assertTrue(e.getMessage().contains("not a multiple of NH"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> be.encoderForward(x.slice(0, 4), ints(0, 9), x.slice(0, 6), x.slice(6, 4), 1, 2, 2));
    assertTrue(e.getMessage().contains("token id 9"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> be.crossEntropyForward(x.slice(0, 1), x.slice(0, 4), ints(4), 1, 4, 4));
    assertTrue(e.getMessage().contains("target 4"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> be.read(x, 18, new float[5], 0, 3));
    assertTrue(e.getMessage().contains("outside"), e.getMessage());
  }

  static void assertRelative(float[] expected, float[] actual, double tol) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tol * Math.abs(expected[i]), "index " + i);
    }
  }

  static float[] nan(int n) {
    float[] x = new float[n];
    java.util.Arrays.fill(x, Float.NaN);
    return x;
  }
}
