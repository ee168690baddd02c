package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The 6- and 8-row register tiles at this run's vector width, called directly: {@link Gemm#MR}
 * picks one tile per CPU (the 6-row one only with 8 lanes and 32 registers), so without these
 * calls a tile would go untested on every machine that does not pick it. Each element must be
 * the scalar chain of fused multiply-adds in k order, bit for bit, as the 4-row tile's is.
 */
class MicroKernelTilesTest {
  private static final int NR = Gemm.NR, KC = 37, LDC = NR + 5;

  @Test
  void theRegisterTileFitsTheRegistersAndAnAvx2RunGetsFourRows() {
    assertTrue(2 * Gemm.MR + 3 <= VectorRegisters.COUNT,
        Gemm.MR + " rows need " + (2 * Gemm.MR + 3) + " registers, " + VectorRegisters.COUNT + " here");
    String arch = System.getProperty("os.arch", "");
    // the kernels' 256-bit run limits C2 to AVX2 on x86 (kernels/pom.xml): 16 registers, the 4-row tile
    if (Integer.getInteger("jgpt.test.maxVectorBits", Integer.MAX_VALUE) == 256
        && (arch.equals("amd64") || arch.equals("x86_64"))) {
      assertEquals(16, VectorRegisters.COUNT, "-XX:UseAVX=2 leaves 16 vector registers");
      assertEquals(4, Gemm.MR, "the 6-row tile spills on AVX2's 16 registers");
    }
  }

  @Test
  void sixRowTileEqualsTheScalarChain() {
    for (int mode = 0; mode < 4; mode++) check(6, mode);
  }

  @Test
  void eightRowTileEqualsTheScalarChain() {
    for (int mode = 0; mode < 4; mode++) check(8, mode);
  }

  // mode 0: packed A, bias; 1: packed A, C loaded; 2: A in place, row-major; 3: A in place, column-major (C loaded)
  private static void check(int rows, int mode) {
    Random random = new Random(17 * rows + mode);
    float[][] a = new float[rows][KC];
    float[][] b = new float[KC][NR];
    for (float[] row : a) for (int k = 0; k < KC; k++) row[k] = random.nextFloat() * 2 - 1;
    for (float[] row : b) for (int j = 0; j < NR; j++) row[j] = random.nextFloat() * 2 - 1;
    float[] bias = new float[NR + 3];
    for (int j = 0; j < bias.length; j++) bias[j] = random.nextFloat();
    float[] c = new float[rows * LDC + 2];
    for (int i = 0; i < c.length; i++) c[i] = random.nextFloat();
    boolean loadC = mode == 1 || mode == 3;

    float[] expected = c.clone();
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < NR; j++) {
        float sum = loadC ? c[1 + r * LDC + j] : mode == 0 ? bias[2 + j] : 0f;
        for (int k = 0; k < KC; k++) sum = Math.fma(a[r][k], b[k][j], sum);
        expected[1 + r * LDC + j] = sum;
      }
    }

    float[] bp = new float[3 + KC * NR]; // B panel (KC, NR) at 3
    for (int k = 0; k < KC; k++) System.arraycopy(b[k], 0, bp, 3 + k * NR, NR);
    if (mode < 2) {
      float[] ap = new float[2 + KC * rows]; // A tile (KC, rows) at 2: a column of A per k
      for (int k = 0; k < KC; k++) for (int r = 0; r < rows; r++) ap[2 + k * rows + r] = a[r][k];
      float[] withBias = mode == 0 ? bias : null;
      if (rows == 6) MicroKernel6Rows.packed(ap, 2, bp, 3, KC, c, 1, LDC, loadC, withBias, 2);
      else MicroKernel8Rows.packed(ap, 2, bp, 3, KC, c, 1, LDC, loadC, withBias, 2);
    } else {
      boolean rowMajor = mode == 2;
      int ld = (rowMajor ? KC : rows) + 3, offset = 4;
      float[] inPlace = new float[offset + ld * (rowMajor ? rows : KC)];
      for (int r = 0; r < rows; r++) {
        for (int k = 0; k < KC; k++) inPlace[offset + (rowMajor ? r * ld + k : k * ld + r)] = a[r][k];
      }
      int rs = rowMajor ? ld : 1, cs = rowMajor ? 1 : ld;
      if (rows == 6) MicroKernel6Rows.direct(inPlace, offset, rs, cs, bp, 3, KC, c, 1, LDC, loadC);
      else MicroKernel8Rows.direct(inPlace, offset, rs, cs, bp, 3, KC, c, 1, LDC, loadC);
    }
    assertArrayEquals(expected, c, rows + "-row tile, mode " + mode + ", " + Vec.L + " lanes");
  }
}
