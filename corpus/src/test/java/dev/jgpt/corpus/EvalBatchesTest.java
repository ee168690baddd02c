package dev.jgpt.corpus;

import static dev.jgpt.corpus.SplitTest.positions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EvalBatchesTest {

  @Test
  void windowsAreFixedSpreadEvenlyAndInOrder() {
    EvalBatches eval = new EvalBatches(positions(1000), 2, 10, 5); // 10 windows over starts 0..989
    int[] inputs = new int[20];
    int[] targets = new int[20];
    int previous = -1;
    for (int batch = 0; batch < 5; batch++) {
      eval.fill(batch, inputs, targets);
      int[] again = new int[20];
      eval.fill(batch, again, new int[20]);
      assertArrayEquals(inputs, again, "the same windows every time");
      for (int row = 0; row < 2; row++) {
        int start = inputs[row * 10];
        assertEquals((batch * 2 + row) * 99, start, "window i starts at floor(i * 990 / 10)");
        assertTrue(start > previous);
        previous = start;
        assertEquals(start + 10, targets[row * 10 + 9]);
      }
    }
  }

  @Test
  void smallValidationDataRepeatsWindows() {
    EvalBatches eval = new EvalBatches(positions(12), 4, 10, 1); // only 2 windows: starts 0 and 1
    int[] inputs = new int[40];
    eval.fill(0, inputs, new int[40]);
    assertArrayEquals(new int[] {0, 0, 1, 1}, new int[] {inputs[0], inputs[10], inputs[20], inputs[30]});
  }

  @Test
  void bitsPerByteUsesTheBytesTheTargetsDecodeTo() {
    int[] ids = new int[101];
    java.util.Arrays.fill(ids, 7);
    TokenData twoBytesEach = new TokenArray(ids, id -> 2);
    EvalBatches eval = new EvalBatches(twoBytesEach, 5, 10, 2);
    assertEquals(100, eval.targetTokens());
    assertEquals(200, eval.targetBytes());
    // ln 2 nats per token = 1 bit per token = half a bit per byte.
    assertEquals(0.5, eval.bitsPerByte(Math.log(2)), 1e-12);

    // Separators count no bytes: 1 in 4 targets is one here.
    for (int i = 0; i < ids.length; i += 4) ids[i] = 0;
    EvalBatches withSeparators = new EvalBatches(new TokenArray(ids, id -> id == 0 ? 0 : 1), 1, 100, 1);
    assertEquals(75, withSeparators.targetBytes());
  }

  @Test
  void tooLittleValidationDataFailsClearly() {
    var e = assertThrows(IllegalArgumentException.class, () -> new EvalBatches(positions(5), 2, 8, 3));
    assertTrue(e.getMessage().startsWith("the validation data has 5 tokens, fewer than block size + 1 = 9"), e.getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> new EvalBatches(positions(50), 2, 8, 3).fill(3, new int[16], new int[16]));
  }
}
