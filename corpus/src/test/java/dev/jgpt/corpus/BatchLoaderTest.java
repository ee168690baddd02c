package dev.jgpt.corpus;

import static dev.jgpt.corpus.SplitTest.positions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {
  private static final int B = 4;
  private static final int T = 8;

  private static List<int[]> draw(BatchLoader loader, int batches) {
    List<int[]> drawn = new ArrayList<>();
    for (int i = 0; i < batches; i++) {
      int[] inputs = new int[B * T]; // (B,T)
      int[] targets = new int[B * T]; // (B,T)
      loader.next(inputs, targets);
      int[] both = Arrays.copyOf(inputs, 2 * B * T);
      System.arraycopy(targets, 0, both, B * T, B * T);
      drawn.add(both);
    }
    return drawn;
  }

  @Test
  void rowsAreWindowsAndTargetsAreTheNextTokens() {
    BatchLoader loader = new BatchLoader(positions(500), B, T, 1);
    int[] inputs = new int[B * T];
    int[] targets = new int[B * T];
    loader.next(inputs, targets);
    for (int b = 0; b < B; b++) {
      for (int t = 0; t < T; t++) {
        assertEquals(inputs[b * T] + t, inputs[b * T + t], "a window is contiguous");
        assertEquals(inputs[b * T + t] + 1, targets[b * T + t], "the target is the next token");
      }
    }
    assertEquals(1, loader.position());
  }

  @Test
  void sameSeedSameBatchesOtherSeedOtherBatches() {
    List<int[]> a = draw(new BatchLoader(positions(10_000), B, T, 42), 20);
    List<int[]> b = draw(new BatchLoader(positions(10_000), B, T, 42), 20);
    List<int[]> c = draw(new BatchLoader(positions(10_000), B, T, 43), 20);
    for (int i = 0; i < 20; i++) assertArrayEquals(a.get(i), b.get(i));
    assertFalse(Arrays.equals(a.getFirst(), c.getFirst()));
    assertFalse(Arrays.equals(a.get(0), a.get(1)), "consecutive batches differ");
  }

  @Test
  void seekingToTheSavedPositionResumesTheSameBatches() {
    List<int[]> uninterrupted = draw(new BatchLoader(positions(10_000), B, T, 7), 10);
    BatchLoader first = new BatchLoader(positions(10_000), B, T, 7);
    draw(first, 4);
    long saved = first.position();
    assertEquals(4, saved);
    BatchLoader resumed = new BatchLoader(positions(10_000), B, T, 7);
    resumed.seek(saved);
    List<int[]> after = draw(resumed, 6);
    for (int i = 0; i < 6; i++) assertArrayEquals(uninterrupted.get(4 + i), after.get(i), "batch " + (4 + i));
    resumed.seek(0);
    assertArrayEquals(uninterrupted.getFirst(), draw(resumed, 1).getFirst());
  }

  @Test
  void everyWindowIsDrawnAboutEquallyOften() {
    int n = 20;
    BatchLoader loader = new BatchLoader(positions(n), 1, 4, 3);
    int windows = n - 4; // starts 0..15
    assertEquals(windows, loader.windowCount());
    int[] counts = new int[windows];
    int[] inputs = new int[4];
    int[] targets = new int[4];
    int draws = 16_000;
    for (int i = 0; i < draws; i++) {
      loader.next(inputs, targets);
      counts[inputs[0]]++;
    }
    for (int start = 0; start < windows; start++) {
      assertTrue(Math.abs(counts[start] - draws / windows) < 150, "start " + start + " drawn " + counts[start] + " times");
    }
  }

  @Test
  void foldTrainingWindowsNeverSpanTheHeldOutFold() {
    Split split = Split.folds(positions(100), 4, 1); // validation ids 25..49
    BatchLoader loader = new BatchLoader(split.train(), B, T, 5);
    assertEquals((25 - T) + (50 - T), loader.windowCount());
    boolean sawBefore = false;
    boolean sawAfter = false;
    for (int[] batch : draw(loader, 200)) {
      for (int i = 0; i < 2 * B * T; i++) assertTrue(batch[i] < 25 || batch[i] >= 50, "id " + batch[i] + " is validation");
      for (int b = 0; b < B; b++) {
        assertEquals(batch[b * T] + T, batch[B * T + b * T + T - 1], "contiguous: the last target is start + T");
        sawBefore |= batch[b * T] < 25;
        sawAfter |= batch[b * T] >= 50;
      }
    }
    assertTrue(sawBefore && sawAfter, "both sides of the gap are used");
  }

  @Test
  void dataShorterThanTheBlockPlusOneFailsClearly() {
    var e = assertThrows(IllegalArgumentException.class, () -> new BatchLoader(positions(8), B, 8, 1));
    assertEquals("the training data has 8 tokens, fewer than block size + 1 = 9; use a larger corpus or a smaller"
        + " --block-size", e.getMessage());
    new BatchLoader(positions(9), B, 8, 1); // exactly T+1 tokens: one window
    var folds = assertThrows(IllegalArgumentException.class,
        () -> new BatchLoader(Split.folds(positions(30), 3, 1).train(), B, 10, 1));
    assertTrue(folds.getMessage().contains("in its longest contiguous part") && folds.getMessage().contains("--folds"),
        folds.getMessage());
  }

  @Test
  void tooSmallArraysAreRejected() {
    BatchLoader loader = new BatchLoader(positions(100), B, T, 1);
    assertThrows(IllegalArgumentException.class, () -> loader.next(new int[B * T - 1], new int[B * T]));
    assertThrows(IllegalArgumentException.class, () -> loader.seek(-1));
  }
}
