package dev.jgpt.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RunStartsTest {

  @Test
  void everyPositionMapsToTheNonEmptyRunHoldingIt() {
    // Runs of 0, 3, 0, 0, 2 and 1 positions: starts 0, 0, 3, 3, 3, 5 and the total 6.
    long[] starts = {0, 0, 3, 3, 3, 5, 6};
    int[] expected = {1, 1, 1, 4, 4, 5};
    for (int position = 0; position < 6; position++) {
      assertEquals(expected[position], RunStarts.runOf(starts, 6, position), "position " + position);
    }
  }

  @Test
  void aSingleRunHoldsEverything() {
    long[] starts = {0, 10};
    assertEquals(0, RunStarts.runOf(starts, 1, 0));
    assertEquals(0, RunStarts.runOf(starts, 1, 9));
  }
}
