package dev.jgpt.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * exp and tanh from plain vector arithmetic (add, mul, fma, div, conversions). The Vector API's own
 * EXP and TANH call a native library once C2 compiles the caller but per-lane Math calls
 * before, and differ by an ulp between the two: results would then depend on JIT timing (and
 * on the CPU's SVML flavour). These give the same bits in every execution mode, on every x86
 * or ARM CPU, and so keep the CPU backend bit-reproducible across runs and thread counts.
 */
public final class VectorMath {
  private VectorMath() {}

  // The constants of exp, shared with the copies of its steps (RowOps, CausalSoftmax, GeluRows)
  // and with the TornadoVM backend's device twin (tornado.CpuMath): public for that reader; the
  // methods stay package-private.
  public static final float LOG2E = 1.44269504088896341f;
  /** ln 2 split in two so that n * LN2_HI is exact for the n that occur. */
  public static final float LN2_HI = 0.693359375f;
  public static final float LN2_LO = -2.12194440e-4f;
  /** Below this exp underflows a float: the result is 0. */
  public static final float MIN_ARG = -87.3f;
  /** Cephes' expf polynomial, highest degree first. */
  public static final float P5 = 1.9875691500e-4f, P4 = 1.3981999507e-3f, P3 = 8.3334519073e-3f, P2 = 4.1665795894e-2f,
      P1 = 1.6666665459e-1f, P0 = 5.0000001201e-1f;

  /**
   * exp(x) for x <= 0 (softmax arguments after the max shift): 2^n * p(r), n = round(x log2 e),
   * r = x - n ln 2 in [-ln2/2, ln2/2], p Cephes' expf polynomial; relative error about 2e-7.
   * RowOps' two exp loops, CausalSoftmax.expRow and GeluRows repeat these steps inside their
   * loops (a vector passed to a call that C2 declines to inline is boxed); change them together:
   * RowOpsTailTest, CausalSoftmaxTest and GeluRowsTest pin them equal.
   */
  static FloatVector expNonPositive(FloatVector x) {
    // x < MIN_ARG ? MIN_ARG : x, which is x.max(MIN_ARG) for every float (a NaN stays NaN, -0 stays
    // -0): Java's max semantics compile to six instructions (NaN and signed-zero fix-ups), the
    // compare and blend to two, on the long dependency chain of every exp.
    VectorMask<Float> low = x.compare(VectorOperators.LT, MIN_ARG);
    FloatVector clamped = x.blend(MIN_ARG, low);
    // Truncating t - 0.5 rounds t = x log2 e to the nearest integer for t <= 0.
    IntVector n = (IntVector) clamped.mul(LOG2E).sub(0.5f).convertShape(VectorOperators.F2I, Vec.INTS, 0);
    FloatVector nf = (FloatVector) n.convertShape(VectorOperators.I2F, Vec.S, 0);
    FloatVector r = clamped.sub(nf.mul(LN2_HI)).sub(nf.mul(LN2_LO));
    FloatVector p = r.mul(P5).add(P4);
    p = p.fma(r, FloatVector.broadcast(Vec.S, P3));
    p = p.fma(r, FloatVector.broadcast(Vec.S, P2));
    p = p.fma(r, FloatVector.broadcast(Vec.S, P1));
    p = p.fma(r, FloatVector.broadcast(Vec.S, P0));
    p = p.fma(r.mul(r), r).add(1f);
    FloatVector twoToN = n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    return p.mul(twoToN).blend(0f, low);
  }

  /**
   * The same exp for one float, for the scalar tails of element-wise loops: every step is the
   * scalar form of the vector step above (lane-wise max, mul, sub, fma and the (int) cast are
   * exact IEEE or Java-defined), so each element gets the same bits whichever path computes it.
   * Change both together; ScalarTwinTest pins the equality.
   */
  static float expNonPositive(float x) {
    float clamped = Math.max(x, MIN_ARG);
    int n = (int) (clamped * LOG2E - 0.5f);
    float nf = n;
    float r = clamped - nf * LN2_HI - nf * LN2_LO;
    float p = r * P5 + P4;
    p = Math.fma(p, r, P3);
    p = Math.fma(p, r, P2);
    p = Math.fma(p, r, P1);
    p = Math.fma(p, r, P0);
    p = Math.fma(p, r * r, r) + 1f;
    float twoToN = Float.intBitsToFloat((n + 127) << 23);
    return x < MIN_ARG ? 0f : p * twoToN;
  }

  /**
   * out (n) = exp((x (n) - shift) * scale), returning their sum, with the CPU kernels' softmax loop
   * ({@code RowOps.expShiftedSum}), for host code outside a backend: the sampler's softmax over a
   * 50,257-token vocabulary took 0.24 ms a token with Math.exp in double, a few percent of a GPT-2
   * token. shift >= every finite x (the row's max), 0 < scale < infinity; -infinity entries give 0.
   * out may be x.
   */
  public static float expShiftedSum(float[] x, float shift, float scale, float[] out, int n) {
    return RowOps.expShiftedSum(x, 0, shift, scale, out, 0, n);
  }

  /**
   * tanh's rational form: tanh(c) = c P(c^2) / Q(c^2) for 0 <= c <= {@link #TANH_CLAMP}, P of degree 6
   * and Q of degree 3 in c^2 (P(0) = Q(0) = 1), fitted by iteratively reweighted least squares on
   * [0, 8.5] by kernels/scripts/fit_tanh.py (the fit's own error 3e-9; 2.8e-7 with float steps).
   * Beyond the clamp tanh is 1 to within 2e-7. No exp: GELU's forward ran 36% faster (0.30 against
   * 0.47 ns a float, one core, Zen 5) and its gradient 26% (0.48 against 0.65) than with
   * tanh = (1 - e) / (1 + e), e = exp(-2|u|), whose conversions and 2^n steps made a longer chain.
   * Public for the TornadoVM backend's device twin (tornado.CpuMath).
   */
  public static final float TANH_CLAMP = 8.5f;
  /** P's coefficients, of c^2k; P0 = 1. */
  public static final float TANH_P1 = 0.13100529f, TANH_P2 = 0.003122574f, TANH_P3 = 1.1354564e-05f,
      TANH_P4 = -2.1078096e-08f, TANH_P5 = 5.7154458e-11f, TANH_P6 = -9.695221e-14f;
  /** Q's coefficients, of c^2k; Q0 = 1. */
  public static final float TANH_Q1 = 0.46433854f, TANH_Q2 = 0.02456885f, TANH_Q3 = 0.00025735635f;

  /**
   * tanh(u) = sign(u) min(1, c P(c^2) / Q(c^2)), c = min(|u|, TANH_CLAMP): absolute error about 3e-7.
   * GeluRows repeats these steps inside its loop (a vector passed to a call C2 declines to inline is
   * boxed); change them together: GeluRowsTest pins them equal.
   */
  static FloatVector tanh(FloatVector u) {
    FloatVector a = u.abs();
    // a > clamp ? clamp : a, as a compare and a blend (Java's min is six instructions: see expNonPositive)
    FloatVector c = a.blend(TANH_CLAMP, a.compare(VectorOperators.GT, TANH_CLAMP));
    FloatVector s = c.mul(c);
    FloatVector p = s.mul(TANH_P6).add(TANH_P5);
    p = p.fma(s, FloatVector.broadcast(Vec.S, TANH_P4));
    p = p.fma(s, FloatVector.broadcast(Vec.S, TANH_P3));
    p = p.fma(s, FloatVector.broadcast(Vec.S, TANH_P2));
    p = p.fma(s, FloatVector.broadcast(Vec.S, TANH_P1));
    p = p.fma(s, FloatVector.broadcast(Vec.S, 1f));
    FloatVector q = s.mul(TANH_Q3).add(TANH_Q2);
    q = q.fma(s, FloatVector.broadcast(Vec.S, TANH_Q1));
    q = q.fma(s, FloatVector.broadcast(Vec.S, 1f));
    FloatVector t = c.mul(p).div(q);
    t = t.blend(1f, t.compare(VectorOperators.GT, 1f));
    return t.blend(t.neg(), u.compare(VectorOperators.LT, 0f));
  }

  /** The same tanh for one float, bit for bit, for element-wise tails (see the scalar exp). */
  static float tanh(float u) {
    float a = Math.abs(u);
    float c = a > TANH_CLAMP ? TANH_CLAMP : a;
    float s = c * c;
    float p = s * TANH_P6 + TANH_P5;
    p = Math.fma(p, s, TANH_P4);
    p = Math.fma(p, s, TANH_P3);
    p = Math.fma(p, s, TANH_P2);
    p = Math.fma(p, s, TANH_P1);
    p = Math.fma(p, s, 1f);
    float q = s * TANH_Q3 + TANH_Q2;
    q = Math.fma(q, s, TANH_Q1);
    q = Math.fma(q, s, 1f);
    float t = c * p / q;
    if (t > 1f) t = 1f;
    return u < 0f ? -t : t;
  }
}
