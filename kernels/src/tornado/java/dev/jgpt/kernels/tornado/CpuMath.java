package dev.jgpt.kernels.tornado;

import static dev.jgpt.kernels.ReferenceKernels.GELU_CUBIC;
import static dev.jgpt.kernels.cpu.VectorMath.LN2_HI;
import static dev.jgpt.kernels.cpu.VectorMath.LN2_LO;
import static dev.jgpt.kernels.cpu.VectorMath.LOG2E;
import static dev.jgpt.kernels.cpu.VectorMath.MIN_ARG;
import static dev.jgpt.kernels.cpu.VectorMath.P0;
import static dev.jgpt.kernels.cpu.VectorMath.P1;
import static dev.jgpt.kernels.cpu.VectorMath.P2;
import static dev.jgpt.kernels.cpu.VectorMath.P3;
import static dev.jgpt.kernels.cpu.VectorMath.P4;
import static dev.jgpt.kernels.cpu.VectorMath.P5;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_CLAMP;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_P1;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_P2;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_P3;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_P4;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_P5;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_P6;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_Q1;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_Q2;
import static dev.jgpt.kernels.cpu.VectorMath.TANH_Q3;

import dev.jgpt.kernels.ReferenceKernels;
import uk.ac.manchester.tornado.api.math.TornadoMath;

/**
 * The CPU backend's exp, tanh and GELU (cpu.VectorMath, cpu.CpuPointwise) in the device's terms,
 * step for step, so the device rounds each as the CPU backend does: its fma steps written
 * {@code a * b + c} (one fma on the device: {@link Rounding#fma}), its rounded products added with
 * {@link Rounding#addRounded}, and 2^n built by exact multiplications (TornadoVM's OpenCL backend
 * has no float-from-bits). Device only: the host twins call cpu.CpuScalarMath (plain Java would round
 * the fma steps twice). TornadoVsCpuTest checks both against the CPU backend.
 */
final class CpuMath {
  private CpuMath() {}

  // Its constants are VectorMath's and ReferenceKernels' own (statically imported), not copies.

  // exp(x) for x <= 0: 2^n * p(r), n = round(x log2 e), r = x - n ln 2, as VectorMath.expNonPositive
  static float expNonPositive(float x) {
    float clamped = TornadoMath.max(x, MIN_ARG);
    int n = (int) (clamped * LOG2E - 0.5f);
    float nf = n;
    float r = clamped - nf * LN2_HI - nf * LN2_LO;
    float p = Rounding.addRounded(P4, r * P5);
    p = Rounding.fma(p, r, P3);
    p = Rounding.fma(p, r, P2);
    p = Rounding.fma(p, r, P1);
    p = Rounding.fma(p, r, P0);
    p = Rounding.fma(p, r * r, r) + 1f;
    float result = p * twoToMinus(-n);
    if (x < MIN_ARG) result = 0f;
    return result;
  }

  // 2^-k for 0 <= k <= 127, exactly: one power of two per bit of k (every product is a power of two)
  static float twoToMinus(int k) {
    float t = 1f;
    if ((k & 1) != 0) t *= 0.5f;
    if ((k & 2) != 0) t *= 0.25f;
    if ((k & 4) != 0) t *= 0.0625f;
    if ((k & 8) != 0) t *= 0.00390625f;
    if ((k & 16) != 0) t *= 1.52587890625e-5f;
    if ((k & 32) != 0) t *= 2.3283064365386963e-10f;
    if ((k & 64) != 0) t *= 5.421010862427522e-20f;
    return t;
  }

  // tanh(u) = sign(u) min(1, c P(c^2) / Q(c^2)), c = min(|u|, TANH_CLAMP), as VectorMath.tanh
  static float tanh(float u) {
    float a = TornadoMath.abs(u);
    float c = a;
    if (a > TANH_CLAMP) c = TANH_CLAMP;
    float s = c * c;
    float p = Rounding.addRounded(TANH_P5, s * TANH_P6);
    p = Rounding.fma(p, s, TANH_P4);
    p = Rounding.fma(p, s, TANH_P3);
    p = Rounding.fma(p, s, TANH_P2);
    p = Rounding.fma(p, s, TANH_P1);
    p = Rounding.fma(p, s, 1f);
    float q = Rounding.addRounded(TANH_Q2, s * TANH_Q3);
    q = Rounding.fma(q, s, TANH_Q1);
    q = Rounding.fma(q, s, 1f);
    float t = c * p / q;
    if (t > 1f) t = 1f;
    if (u < 0f) t = -t;
    return t;
  }

  // sqrt(2/pi) * (x + 0.044715 x^3), as CpuPointwise.tanhArgument
  static float tanhArgument(float x) {
    float x3 = x * x * x;
    return Rounding.addRounded(x, x3 * GELU_CUBIC) * ReferenceKernels.GELU_SCALE;
  }

  // 0.5 x (1 + tanh(...)), as CpuPointwise.geluOf
  static float gelu(float x) {
    float th = tanh(tanhArgument(x));
    return x * 0.5f * (th + 1f);
  }

  // 0.5 (1 + th) + 0.5 x sech^2 sqrt(2/pi) (1 + 3 * 0.044715 x^2), as CpuPointwise.geluGradient
  static float geluGradient(float x) {
    float th = tanh(tanhArgument(x));
    float sech2 = 1f - th * th;
    float inner = Rounding.addRounded(1f, x * x * (3f * GELU_CUBIC)) * ReferenceKernels.GELU_SCALE;
    return Rounding.addRounded((th + 1f) * 0.5f, x * 0.5f * sech2 * inner);
  }

  // 1 / sqrt(s) rounded once, as the CPU backend's (float) (1.0 / Math.sqrt(s)) (layer norm's rstd),
  // without fp64: y = 1 / sqrt(s) in float is off by an ulp for a quarter of all s, so one Newton step
  // y (1 + r / 2) with the residual r = 1 - s y^2 taken exactly enough (y^2 and s y^2 split into
  // float pairs by fma: a * b + (0 - c) is fma(a, b, -c) on the device) and rounded once. Equal to
  // the double form for 2,000,000 of 2,000,000 random s in a check on the host.
  static float rsqrt(float s) {
    float y = 1f / TornadoMath.sqrt(s);
    float yy = y * y;
    float yl = y * y + (0f - yy); // y^2 = yy + yl exactly
    float p = s * yy;
    float pl = s * yy + (0f - p); // s yy = p + pl exactly
    float r = 1f - p - pl - s * yl; // 1 - p is exact: p is within an ulp or two of 1
    return y * 0.5f * r + y;
  }
}
