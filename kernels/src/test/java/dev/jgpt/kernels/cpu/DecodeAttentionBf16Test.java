package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import dev.jgpt.kernels.Bf16;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.IntBuf;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Decode attention over a bf16 KV cache: the new position's k and v are packed into the cache
 * with {@link Bf16#fromFloat}'s rounding, the result does not depend on the thread count, and it
 * is the F32 decode attention's over the same (rounded) values up to the order of the sums.
 */
class DecodeAttentionBf16Test {
  static final List<CpuBackend> CPUS = List.of(new CpuBackend(1), new CpuBackend(2), new CpuBackend(3));

  @AfterAll
  static void closeAll() {
    CPUS.forEach(CpuBackend::close);
  }

  // hs = 64 past the fork threshold; one position; hs = 40 (a vector tail, no block scores); hs = 6 (scalar)
  @ParameterizedTest(name = "p={0} maxT={1} C={2} NH={3}")
  @CsvSource({"150, 160, 768, 12", "0, 4, 128, 2", "70, 80, 120, 3", "33, 40, 36, 6", "127, 128, 256, 4"})
  void matchesTheF32KernelOnTheRoundedValuesOnAnyThreadCount(int p, int maxT, int C, int NH) {
    Random rnd = new Random(17L * p + C);
    float[] qkv = random(rnd, 3 * C), k = random(rnd, maxT * C), v = random(rnd, maxT * C);
    for (int i = C; i < 3 * C; i++) qkv[i] = rounded(qkv[i]); // k and v as the cache will hold them
    for (int i = 0; i < k.length; i++) {
      k[i] = rounded(k[i]);
      v[i] = rounded(v[i]);
    }
    int[] k16 = Bf16.packRows(k, 0, maxT, C), v16 = Bf16.packRows(v, 0, maxT, C);
    float[] f32 = decodeF32(CPUS.get(0), qkv, k, v, p, maxT, C, NH);
    float[] first = null;
    for (CpuBackend be : CPUS) {
      int[][] caches = {k16.clone(), v16.clone()};
      float[] got = decodeBf16(be, qkv, caches, p, maxT, C, NH);
      if (first == null) first = got;
      assertArrayEquals(first, got, be.threads() + " threads");
      int[] row = Bf16.packRows(qkv, C, 1, C);
      for (int j = 0; j < C / 2; j++) assertEquals(row[j], caches[0][p * C / 2 + j], "k of position " + p + ", int " + j);
      row = Bf16.packRows(qkv, 2 * C, 1, C);
      for (int j = 0; j < C / 2; j++) assertEquals(row[j], caches[1][p * C / 2 + j], "v of position " + p + ", int " + j);
    }
    for (int c = 0; c < C; c++) assertEquals(f32[c], first[c], 2e-6 * Math.max(1, Math.abs(f32[c])), "channel " + c);
  }

  @Test
  void packBf16RoundsARowAsPackRowsDoes() {
    Random rnd = new Random(5);
    float[] x = random(rnd, 13); // an odd length: the last int's high half is 0
    try (CpuBackend be = new CpuBackend(1)) {
      FloatBuf src = be.allocFloat("x", 13);
      be.write(src, 0, x, 0, 13);
      IntBuf dst = be.allocInt("packed", 10);
      be.packBf16(dst, 3, src.all(), 13);
      int[] got = new int[10];
      be.read(dst, 0, got, 0, 10);
      int[] expected = Bf16.packRows(x, 0, 1, 13);
      for (int j = 0; j < 7; j++) assertEquals(expected[j], got[3 + j], "int " + j);
      assertEquals(0, got[0]);
    }
  }

  @Test
  void anOddHeadSizeIsRefusedInOneLine() {
    try (Backend be = Backends.open("cpu", 1)) {
      IntBuf k = be.allocInt("k", 4 * 9), v = be.allocInt("v", 4 * 9), pos = be.allocInt("pos", 1);
      FloatBuf out = be.allocFloat("out", 18), att = be.allocFloat("att", 8), qkv = be.allocFloat("qkv", 54);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> be.attentionDecodeBf16(out.all(), att.all(), qkv.all(), k, v, pos, 4, 18, 2));
      assertTrue(e.getMessage().contains("head size (9) must be even"), e.getMessage());
    }
  }

  private static float rounded(float x) {
    return Bf16.toFloat(Bf16.fromFloat(x));
  }

  private static float[] random(Random rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
    return x;
  }

  private static float[] decodeF32(CpuBackend be, float[] qkv, float[] k, float[] v, int p, int maxT, int C, int NH) {
    FloatBuf q = buf(be, qkv), kb = buf(be, k), vb = buf(be, v);
    FloatBuf out = be.allocFloat("out", C), att = be.allocFloat("att", NH * maxT);
    be.attentionDecode(out.all(), att.all(), q.all(), kb.all(), vb.all(), position(be, p), maxT, C, NH);
    float[] result = new float[C];
    be.read(out, 0, result, 0, C);
    return result;
  }

  // out (C); caches[0], caches[1] (maxT, C/2) get row p
  private static float[] decodeBf16(CpuBackend be, float[] qkv, int[][] caches, int p, int maxT, int C, int NH) {
    FloatBuf q = buf(be, qkv), out = be.allocFloat("out", C), att = be.allocFloat("att", NH * maxT);
    IntBuf k = be.allocInt("k16", caches[0].length), v = be.allocInt("v16", caches[1].length);
    be.write(k, 0, caches[0], 0, caches[0].length);
    be.write(v, 0, caches[1], 0, caches[1].length);
    be.attentionDecodeBf16(out.all(), att.all(), q.all(), k, v, position(be, p), maxT, C, NH);
    be.read(k, 0, caches[0], 0, caches[0].length);
    be.read(v, 0, caches[1], 0, caches[1].length);
    float[] result = new float[C];
    be.read(out, 0, result, 0, C);
    return result;
  }

  private static IntBuf position(CpuBackend be, int p) {
    IntBuf pos = be.allocInt("pos", 1);
    be.write(pos, 0, new int[] {p}, 0, 1);
    return pos;
  }

  private static FloatBuf buf(CpuBackend be, float[] values) {
    FloatBuf b = be.allocFloat("x", values.length);
    be.write(b, 0, values, 0, values.length);
    return b;
  }
}
