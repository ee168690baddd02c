package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.IntBuf;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CPU decode attention gives, bit for bit, the arithmetic written out here one element at a
 * time: each score summed as the vector kernels sum it (a pairwise tree over the lane products
 * for positions in whole blocks of L, {@link Dot#dot}'s order for the rest), each output channel
 * as one running sum over the positions in order (fused multiply-adds on a head's vector body, a
 * product then a sum on its tail). However the kernel orders its reads (heads at a time, rows at
 * a time, any thread split), these are the bits a generated token depends on; a change to them
 * changes generated text, so it must be a decision, not a side effect.
 */
class DecodeAttentionBitsTest {
  static final List<CpuBackend> CPUS = List.of(new CpuBackend(1), new CpuBackend(2), new CpuBackend(3));

  @AfterAll
  static void closeAll() {
    CPUS.forEach(CpuBackend::close);
  }

  // hs = 64 (GPT-2) past the fork threshold (p+1 = 128 rows of 64) with a ragged block tail; hs = 48;
  // hs = 40 and 7 (vector tails at 16 or 8 lanes, no block scores); one position; maxT > p+1
  @ParameterizedTest(name = "p={0} maxT={1} C={2} NH={3}")
  @CsvSource({"0, 4, 128, 2", "150, 160, 768, 12", "127, 128, 256, 4", "200, 256, 192, 4", "70, 80, 120, 3",
      "33, 40, 35, 5", "16, 17, 48, 1"})
  void decodeHasTheBitsOfTheElementWiseSpecification(int p, int maxT, int C, int NH) {
    Random rnd = new Random(31L * p + C);
    float[] qkv = random(rnd, 3 * C), kcache = random(rnd, maxT * C), vcache = random(rnd, maxT * C);
    float[] expected = specification(qkv, kcache, vcache, p, maxT, C, NH);
    for (CpuBackend be : CPUS) {
      float[] got = decode(be, qkv, kcache, vcache, p, maxT, C, NH);
      for (int c = 0; c < C; c++) {
        if (Float.floatToIntBits(got[c]) != Float.floatToIntBits(expected[c])) {
          fail("channel " + c + " on " + be.threads() + " threads: " + got[c] + ", specification " + expected[c]);
        }
      }
    }
  }

  private static float[] random(Random rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
    return x;
  }

  // out (C) of one decode step at position p through the backend; the caches get row p from qkv
  private static float[] decode(CpuBackend be, float[] qkv, float[] kcache, float[] vcache, int p, int maxT, int C,
      int NH) {
    FloatBuf q = buf(be, "qkv", qkv), k = buf(be, "kcache", kcache), v = buf(be, "vcache", vcache);
    FloatBuf out = be.allocFloat("out", C), att = be.allocFloat("att", NH * maxT);
    IntBuf pos = be.allocInt("pos", 1);
    be.write(pos, 0, new int[] {p}, 0, 1);
    be.attentionDecode(out.all(), att.all(), q.all(), k.all(), v.all(), pos, maxT, C, NH);
    float[] result = new float[C];
    be.read(out, 0, result, 0, C);
    return result;
  }

  private static FloatBuf buf(CpuBackend be, String name, float[] values) {
    FloatBuf b = be.allocFloat(name, values.length);
    be.write(b, 0, values, 0, values.length);
    return b;
  }

  // out (C): qkv (3C) at position p, caches (maxT, C) whose row p is this step's k and v
  static float[] specification(float[] qkv, float[] kcacheIn, float[] vcacheIn, int p, int maxT, int C, int NH) {
    float[] kcache = kcacheIn.clone(), vcache = vcacheIn.clone();
    System.arraycopy(qkv, C, kcache, p * C, C);
    System.arraycopy(qkv, 2 * C, vcache, p * C, C);
    int hs = C / NH, L = Vec.L, n = p + 1;
    boolean blocks = hs % L == 0 && L >= 4 && L <= 16;
    int blockEnd = blocks ? n / L * L : 0, body = hs / L * L;
    float[] out = new float[C], att = new float[n];
    for (int h = 0; h < NH; h++) {
      for (int t = 0; t < n; t++) {
        att[t] = t < blockEnd ? treeDot(qkv, h * hs, kcache, t * C + h * hs, hs, L)
            : laneDot(qkv, h * hs, kcache, t * C + h * hs, hs, L);
      }
      RowOps.softmaxInPlace(att, 0, n, (float) (1.0 / Math.sqrt(hs)));
      for (int i = 0; i < hs; i++) {
        float s = 0f;
        for (int t = 0; t < n; t++) {
          float v = vcache[t * C + h * hs + i];
          s = i < body ? Math.fma(att[t], v, s) : s + att[t] * v;
        }
        out[h * hs + i] = s;
      }
    }
    return out;
  }

  // x (hs) . y (hs) as a block score: L lane sums (products, then fused multiply-adds), added as a pairwise tree
  private static float treeDot(float[] x, int xo, float[] y, int yo, int hs, int L) {
    float[] lanes = new float[L];
    for (int l = 0; l < L; l++) {
      lanes[l] = x[xo + l] * y[yo + l];
      for (int i = L + l; i < hs; i += L) lanes[l] = Math.fma(x[xo + i], y[yo + i], lanes[l]);
    }
    for (int width = L; width > 1; width /= 2) {
      for (int l = 0; l < width / 2; l++) lanes[l] = lanes[2 * l] + lanes[2 * l + 1];
    }
    return lanes[0];
  }

  // x (n) . y (n) in Dot.dot's order: two lane accumulators (fused multiply-adds), their sum lane by lane, the tail
  private static float laneDot(float[] x, int xo, float[] y, int yo, int n, int L) {
    float[] acc0 = new float[L], acc1 = new float[L];
    int i = 0;
    for (; i + 2 * L <= n; i += 2 * L) {
      for (int l = 0; l < L; l++) {
        acc0[l] = Math.fma(x[xo + i + l], y[yo + i + l], acc0[l]);
        acc1[l] = Math.fma(x[xo + i + L + l], y[yo + i + L + l], acc1[l]);
      }
    }
    for (; i + L <= n; i += L) {
      for (int l = 0; l < L; l++) acc0[l] = Math.fma(x[xo + i + l], y[yo + i + l], acc0[l]);
    }
    float sum = acc0[0] + acc1[0];
    for (int l = 1; l < L; l++) sum += acc0[l] + acc1[l];
    for (; i < n; i++) sum += x[xo + i] * y[yo + i];
    return sum;
  }
}
