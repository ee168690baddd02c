package dev.jgpt.kernels.cpu;

import static dev.jgpt.kernels.cpu.Gemm.MR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Packing of A rows contiguous in k (an input or dout row, the dinp product's A) into MR-row
 * tiles: element for element the layout {@link Gemm} documents, whichever path packs a tile
 * (the in-register transpose of {@link TileTranspose} at 16 lanes, scalar copies elsewhere).
 */
class PackATest {
  @ParameterizedTest(name = "M={0} K={1} pc={2} kc={3}")
  @CsvSource({
    "64, 128, 0, 128", // whole tiles, k a multiple of 16
    "61, 300, 256, 44", // a ragged last tile, k tail of 12, K block not at 0
    "37, 53, 0, 53", // k tail of 5 after 3 transposed blocks
    "16, 7, 0, 7", // shorter than one transposed block
    "200, 256, 0, 256"}) // more than one row block's worth of tiles is fine for packA
  void packsRowsContiguousInKAsTheTileLayoutSays(int M, int K, int pc, int kc) {
    Random r = new Random(M * 131 + K);
    int off = 3, rs = K + 5; // rows further apart than K, as in a strided view
    float[] a = new float[off + M * rs];
    for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - 0.5f;
    int tiles = (M + MR - 1) / MR;
    int ic = tiles > 2 ? 1 : 0; // start at a later tile when there are several
    float[] ap = new float[(tiles - ic) * kc * MR + 9];
    java.util.Arrays.fill(ap, Float.NaN); // every float of the tiles must be written
    Packing.packA(new Gemm.Operand().set(a, off, rs, 1), M, ic, tiles, pc, kc, ap);
    float[] expected = new float[ap.length];
    java.util.Arrays.fill(expected, Float.NaN);
    for (int t = ic; t < tiles; t++) {
      for (int k = 0; k < kc; k++) {
        for (int row = 0; row < MR; row++) {
          int i = t * MR + row;
          expected[(t - ic) * kc * MR + k * MR + row] = i < M ? a[off + i * rs + pc + k] : 0f;
        }
      }
    }
    assertArrayEquals(expected, ap);
  }

  @Test
  void transposesEightRowsOfSixteenSteps() {
    assumeTrue(TileTranspose.SUPPORTED, "the in-register transpose runs at 16 lanes only");
    int rs = 40, kc = 16;
    float[] a = new float[8 * rs];
    for (int row = 0; row < 8; row++) {
      for (int k = 0; k < rs; k++) a[row * rs + k] = row * 1000 + k; // the value names its place
    }
    float[] ap = new float[2 + kc * 8];
    TileTranspose.pack8Rows(a, 0, rs, kc, ap, 2);
    for (int k = 0; k < kc; k++) {
      for (int row = 0; row < 8; row++) {
        float want = row * 1000 + k;
        if (ap[2 + k * 8 + row] != want) {
          throw new AssertionError("tile step " + k + " row " + row + ": " + ap[2 + k * 8 + row] + ", want " + want);
        }
      }
    }
  }
}
