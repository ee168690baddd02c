package dev.jgpt.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SplitTest {

  /** Token i has id i: a view's ids say which positions it covers. */
  static TokenData positions(int n) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) ids[i] = i;
    return new TokenArray(ids, id -> 1 + id % 3);
  }

  private static int[] ids(TokenData data) {
    int[] ids = new int[Math.toIntExact(data.size())];
    data.copy(0, ids, 0, ids.length);
    return ids;
  }

  @Test
  void defaultSplitIsTheFirstNinetyPercentForTrainingAsInNanoGpt() {
    Split split = Split.trainVal(positions(1000));
    assertEquals(900, split.train().size());
    assertEquals(100, split.val().size());
    assertEquals(0, split.train().get(0));
    assertEquals(899, split.train().get(899));
    assertEquals(900, split.val().get(0));
    assertEquals(999, split.val().get(99));
    assertEquals(1, split.train().segments().size());
    // nanoGPT: n = len(data); train = data[:int(n*0.9)]
    assertEquals(1004, Split.trainVal(positions(1116)).train().size());
  }

  @Test
  void validationFractionZeroLeavesNoValidationData() {
    Split split = Split.trainVal(positions(10), 0);
    assertEquals(10, split.train().size());
    assertEquals(0, split.val().size());
    assertThrows(IllegalArgumentException.class, () -> Split.trainVal(positions(10), 1));
    assertThrows(IllegalArgumentException.class, () -> Split.trainVal(positions(10), Double.NaN));
  }

  @Test
  void foldsPartitionThePositionsAndTrainOnTheRestAsSeparateSegments() {
    int n = 1003;
    int folds = 5;
    int[] seenInValidation = new int[n];
    for (int k = 0; k < folds; k++) {
      Split split = Split.folds(positions(n), folds, k);
      assertEquals(n, split.train().size() + split.val().size());
      for (int id : ids(split.val())) seenInValidation[id]++;
      int[] val = ids(split.val());
      for (int id : ids(split.train())) assertTrue(id < val[0] || id > val[val.length - 1], "fold " + k + " leaks " + id);
      List<TokenData> segments = split.train().segments();
      assertEquals(k == 0 || k == folds - 1 ? 1 : 2, segments.size(), "fold " + k);
      if (segments.size() == 2) {
        assertEquals(val[0] - 1, segments.get(0).get(segments.get(0).size() - 1));
        assertEquals(val[val.length - 1] + 1, segments.get(1).get(0));
      }
      assertTrue(Math.abs(split.val().size() - n / folds) <= 1, "folds are equal within a token");
    }
    for (int i = 0; i < n; i++) assertEquals(1, seenInValidation[i], "position " + i + " validates exactly once");
  }

  @Test
  void byteCountsFollowTheViews() {
    TokenData all = positions(30);
    Split split = Split.folds(all, 3, 1);
    long expected = 0;
    for (int id : ids(split.train())) expected += 1 + id % 3;
    assertEquals(expected, split.train().byteCount());
    assertEquals(all.byteCount(), split.train().byteCount() + split.val().byteCount());
    assertEquals(all.byteCount(5, 25), all.slice(5, 25).byteCount());
  }

  @Test
  void sliceOfJoinedDataKeepsTheGap() {
    Split split = Split.folds(positions(30), 3, 1); // train = [0,10) + [20,30)
    TokenData middle = split.train().slice(5, 15); // ids 5..9 and 20..24
    assertEquals(2, middle.segments().size());
    assertEquals(9, middle.segments().get(0).get(4));
    assertEquals(20, middle.segments().get(1).get(0));
    assertEquals(22, middle.get(7));
  }

  @Test
  void badFoldArgumentsSayWhatIsAllowed() {
    TokenData data = positions(10);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Split.folds(data, 1, 0)).getMessage().contains("at least 2"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Split.folds(data, 3, 3)).getMessage().contains("[0, 3)"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Split.folds(data, 11, 0)).getMessage().contains("fewer --folds"));
  }
}
