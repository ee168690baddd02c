package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Gemm.NR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Packing of B = W^T (keys for attention scores, v for datt, a weight for the forward matmul)
 * into column panels: element for element the layout {@link Gemm} documents, zero past the last
 * row of W, whichever path packs a group of rows (the in-register transpose of
 * {@link TileTranspose} at 16 lanes for 8 whole rows, scalar copies for the rest).
 */
class PackTransposedTest {
  @ParameterizedTest(name = "n={0} K={1} panels [{2}, {3})")
  @CsvSource({
    "64, 32, 0, -1", // attention keys at head size 32: whole panels, K two transposed blocks
    "64, 64, 0, -1", // head size 64
    "37, 53, 0, -1", // a ragged last panel (rows past n are zero), K tail of 5
    "13, 7, 0, -1", // K shorter than one transposed block
    "200, 300, 1, 4", // K over one 128-step block, a later range of panels
    "128, 768, 0, -1"}) // a weight's rows
  void packsTheTransposeAsThePanelLayoutSays(int n, int K, int p0, int p1Given) {
    Random r = new Random(n * 31 + K);
    int off = 5, ld = K + 3; // rows further apart than K, as q/k/v rows inside qkv
    float[] w = new float[off + n * ld];
    for (int i = 0; i < w.length; i++) w[i] = r.nextFloat() - 0.5f;
    int p1 = p1Given < 0 ? Gemm.panels(n) : p1Given;
    float[] bp = new float[(int) Gemm.packedSize(K, n) + 7];
    java.util.Arrays.fill(bp, Float.NaN); // every float of the packed panels must be written
    Packing.packTransposed(w, off, ld, n, K, bp, p0, p1);
    float[] expected = new float[bp.length];
    java.util.Arrays.fill(expected, Float.NaN);
    for (int p = p0; p < p1; p++) {
      for (int k = 0; k < K; k++) {
        for (int j = 0; j < NR; j++) {
          int row = p * NR + j;
          expected[(p * K + k) * NR + j] = row < n ? w[off + row * ld + k] : 0f;
        }
      }
    }
    assertArrayEquals(expected, bp);
  }
}
