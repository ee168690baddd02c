package dev.jgpt.kernels.tornado;

import uk.ac.manchester.tornado.api.math.TornadoMath;

/**
 * The natural log as the CPU backend takes the cross-entropy's, {@code (float) StrictMath.log(s)},
 * in float arithmetic only (devices without fp64 must run it, and the kernels use no double). A
 * float log is an ulp off that value for a good share of inputs (one-ulp loss differences between
 * the backends); this one carries about 56 bits through three-float sums and exact products, then
 * rounds once to float as the double log and its cast round: equal to it for every positive float
 * (checked exhaustively on the host: TornadoFloatLogTest's comment gives the run), and on the device.
 *
 * <p>How: s = m 2^e with m in [sqrt(1/2), sqrt(2)] by exact power-of-two steps; log s = e ln 2 +
 * 2 atanh(f) with f = (m - 1) / (m + 1), |f| <= 0.172, atanh's series in pairs of floats; ln 2 as
 * three floats whose first two times e are exact. Products are split into exact pairs by Dekker's
 * method (no fma: the host would need Math.fma, which TornadoVM cannot compile); a rounded product is
 * never the operand of an add ({@link Rounding#addRounded}), since TornadoVM fuses every
 * {@code a * b + c} into an fma on the device: so the host and the device round this code alike.
 * Ties: where the float sum lands on a float midpoint, the three floats decide; where the true log
 * is within half a double ulp of a midpoint, the CPU's double sits on it and its cast rounds to
 * even, so this rounds to even too (s = 9.472636 is one).
 *
 * <p>Relaxed device math (GPUs, see {@link DeviceMath}) may drop the small terms: the result is then
 * within about an ulp of the log, like any float log.
 */
final class FloatLog {
  private FloatLog() {}

  // Veltkamp's splitter for 24-bit floats: 2^12 + 1
  private static final float SPLIT = 4097f;

  // ln 2 = LN2_1 + LN2_2 + LN2_3 to about 2^-80: LN2_1 has 16 significant bits and LN2_2 13, so
  // e * LN2_1 and e * LN2_2 are exact for |e| < 256
  private static final float LN2_1 = 0.693145751953125f;
  private static final float LN2_2 = 1.428648829460144e-06f;
  private static final float LN2_3 = -4.200914963115032e-11f;

  // 1/k as a pair of floats (high + low), for the series' leading terms
  private static final float THIRD_HI = 0.3333333432674408f, THIRD_LO = -9.934107758624577e-09f;
  private static final float FIFTH_HI = 0.20000000298023224f, FIFTH_LO = -2.9802322831784522e-09f;
  private static final float SEVENTH_HI = 0.1428571492433548f, SEVENTH_LO = -6.38621200366174e-09f;
  private static final float NINTH_HI = 0.1111111119389534f, NINTH_LO = -8.278422947149977e-10f;

  // the float nearest sqrt(2)
  private static final float SQRT2 = 1.4142135381698608f;

  /** (float) StrictMath.log(s); s <= 0, NaN and infinity through TornadoMath.log. */
  static float log(float s) {
    if (!(s > 0f) || s > Float.MAX_VALUE) return TornadoMath.log(s);
    // s = m 2^e, m in [1, 2), by exact multiplications (no float-to-bits on the device); loops,
    // not a ladder of ifs, to keep the method under TornadoVM's inlining limit (600 nodes)
    float m = s;
    int e = 0;
    while (m >= 0x1p16f) { m *= 0x1p-16f; e += 16; } // at most 7 times
    while (m >= 2f) { m *= 0.5f; e += 1; } // at most 15
    while (m < 0x1p-16f) { m *= 0x1p16f; e -= 16; } // at most 9 (subnormals)
    while (m < 1f) { m *= 2f; e -= 1; } // at most 16
    if (m > SQRT2) { m *= 0.5f; e += 1; }

    // f = a / b = q1 + c1 + c2 (each about 2^-24 of the one before), a = m - 1 (exact: Sterbenz),
    // b = m + 1 = bh + bl exactly
    float a = m - 1f;
    float bh = m + 1f;
    float bl = sumError(m, 1f, bh);
    float q1 = a / bh;
    // the remainder a - q1 b as rh + rl: the products exact, their sum in two floats
    float p1 = q1 * bh;
    float e1 = productError(q1, bh, p1);
    float p2 = q1 * bl;
    float e2 = productError(q1, bl, p2);
    float d = a - p1; // exact: p1 is within an ulp of a
    float s1 = d - e1;
    float t1 = sumError(d, 0f - e1, s1);
    float rh = s1 - p2;
    float t2 = sumError(s1, 0f - p2, rh);
    float rl = (t1 + t2) - e2;
    float c1 = rh / bh;
    float p3 = c1 * bh;
    float c2 = ((((rh - p3) - productError(c1, bh, p3)) - c1 * bl) + rl) / bh;

    // atanh(f) - f = f z P(z), z = f^2, P = 1/3 + z/5 + z^2/7 + ...: z and P as pairs of floats
    float fh = q1;
    float fl = c1 + c2;
    float zh = fh * fh;
    float zl = Rounding.addRounded(productError(fh, fh, zh), (fh + fh) * fl);
    // P's tail from 1/11 in float (2^-24 of it moves the log by under 2^-58), then four steps in pairs
    float u = 1f / 21f;
    u = Rounding.addRounded(1f / 19f, zh * u);
    u = Rounding.addRounded(1f / 17f, zh * u);
    u = Rounding.addRounded(1f / 15f, zh * u);
    u = Rounding.addRounded(1f / 13f, zh * u);
    u = Rounding.addRounded(1f / 11f, zh * u);
    float ph = u;
    float pl = 0f;
    for (int step = 0; step < 4; step++) {
      // (ph, pl) = 1/k + z (ph, pl) for k = 9, 7, 5, 3
      float kh = NINTH_HI, kl = NINTH_LO;
      if (step == 1) { kh = SEVENTH_HI; kl = SEVENTH_LO; }
      if (step == 2) { kh = FIFTH_HI; kl = FIFTH_LO; }
      if (step == 3) { kh = THIRD_HI; kl = THIRD_LO; }
      float mh = zh * ph;
      float ml = Rounding.addRounded(Rounding.addRounded(productError(zh, ph, mh), zh * pl), zl * ph);
      float sh = Rounding.addRounded(kh, mh);
      float sl = sumError(kh, mh, sh) + (ml + kl);
      ph = sh + sl;
      pl = sl - (ph - sh);
    }
    // w = z P, then 2 f w (doubling is exact)
    float wh = zh * ph;
    float wl = Rounding.addRounded(Rounding.addRounded(productError(zh, ph, wh), zh * pl), zl * ph);
    float th = fh * wh;
    float tl = Rounding.addRounded(Rounding.addRounded(productError(fh, wh, th), fh * wl), fl * wh);
    th = th * 2f;
    tl = tl * 2f;

    // log s = e ln 2 + 2 (q1 + c1 + c2) + th + tl, summed largest first into three floats a0 + a1 + a2
    float ef = e;
    float e3 = ef * LN2_3;
    float e3l = productError(ef, LN2_3, e3);
    float a0 = ef * LN2_1; // exact
    float a1 = 0f;
    float a2 = 0f;
    for (int term = 0; term < 6; term++) {
      float x = q1 + q1;
      if (term == 1) x = th;
      if (term == 2) x = ef * LN2_2; // exact
      if (term == 3) x = c1 + c1;
      if (term == 4) x = tl;
      if (term == 5) x = Rounding.addRounded(0f, e3); // not a product where it is added
      float s0 = a0 + x;
      float r0 = sumError(a0, x, s0);
      a0 = s0;
      float s01 = a1 + r0;
      a2 = a2 + sumError(a1, r0, s01);
      a1 = s01;
    }
    a2 = a2 + ((c2 + c2) + e3l);

    return roundOnce(a0, a1, a2);
  }

  /**
   * a0 + a1 + a2 rounded once to float, as the CPU's double log and its cast round. u0 + v0 = a0 + a1
   * exactly, then w = v0 + a2 rounded: u0 + w rounds right unless w landed exactly on half of u0's
   * ulp (a tie: u0 + 2w is then the neighbour); there the part w dropped says which side the sum is
   * on, unless it is under half a double ulp, where the CPU's double is the midpoint itself and its
   * cast rounds to even, as u0 + w does.
   */
  static float roundOnce(float a0, float a1, float a2) {
    float u0 = a0 + a1;
    float v0 = sumError(a0, a1, u0);
    float w = v0 + a2;
    float r = u0 + w;
    if (w != 0f && (u0 + (w + w)) - u0 == w + w) {
      float dropped = (v0 - w) + a2;
      float halfDoubleUlp = TornadoMath.abs(w) * 0x1p-29f;
      if ((dropped > halfDoubleUlp && w > 0f) || (dropped < -halfDoubleUlp && w < 0f)) r = u0 + (w + w);
      if ((dropped < -halfDoubleUlp && w > 0f) || (dropped > halfDoubleUlp && w < 0f)) r = u0;
    }
    return r;
  }

  /** The rounding error of s = a + b (Knuth's two-sum): a + b = s + the result, exactly. */
  static float sumError(float a, float b, float s) {
    float bb = s - a;
    return (a - (s - bb)) + (b - bb);
  }

  /**
   * The rounding error of p = a * b (Dekker's two-product): a * b = p + the result, exactly. Its
   * partial products are of 12-bit halves, exact, so the device's fusing of them changes nothing.
   */
  static float productError(float a, float b, float p) {
    float ta = SPLIT * a;
    float ah = ta - (ta - a);
    float al = a - ah;
    float tb = SPLIT * b;
    float bhi = tb - (tb - b);
    float blo = b - bhi;
    return (((ah * bhi - p) + ah * blo) + al * bhi) + al * blo;
  }
}
