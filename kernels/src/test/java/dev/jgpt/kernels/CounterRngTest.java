package dev.jgpt.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CounterRngTest {

  @Test
  void sameCountersGiveTheSameValueAndAnyChangedCounterAnother() {
    float u = CounterRng.uniform(1L, 2L, 3, 4L);
    assertEquals(u, CounterRng.uniform(1L, 2L, 3, 4L));
    assertNotEquals(u, CounterRng.uniform(2L, 2L, 3, 4L));
    assertNotEquals(u, CounterRng.uniform(1L, 3L, 3, 4L));
    assertNotEquals(u, CounterRng.uniform(1L, 2L, 4, 4L));
    assertNotEquals(u, CounterRng.uniform(1L, 2L, 3, 5L));
  }

  @Test
  void goldenValuesPinTheHashAcrossVersionsAndDevices() {
    // A change here changes every dropout mask and init: resumed runs would diverge.
    assertEquals(0xE220A8397B1DCDAFL, CounterRng.mix64(0L + 0x9E3779B97F4A7C15L));
    long key = CounterRng.key(1234L, 5L, 6);
    assertEquals(key, CounterRng.key(1234L, 5L, 6));
    assertEquals(CounterRng.uniform(key, 7L), (CounterRng.bits(key, 7L) >>> 40) * 0x1.0p-24f);
  }

  @Test
  void uniformsAreInRangeWithTheRightMeanAndVariance() {
    long key = CounterRng.key(99L, 0L, 0);
    int n = 200_000;
    double sum = 0, sumSq = 0;
    int[] buckets = new int[10];
    for (int i = 0; i < n; i++) {
      float u = CounterRng.uniform(key, i);
      assertTrue(u >= 0f && u < 1f);
      sum += u;
      sumSq += u * u;
      buckets[(int) (u * 10)]++;
    }
    assertEquals(0.5, sum / n, 0.005);
    assertEquals(1.0 / 12, sumSq / n - (sum / n) * (sum / n), 0.002);
    for (int b : buckets) assertEquals(n / 10.0, b, n / 10.0 * 0.05);
  }

  @Test
  void normalsHaveMeanZeroAndUnitVariance() {
    long key = CounterRng.key(7L, 1L, 2);
    int n = 200_000;
    double sum = 0, sumSq = 0;
    for (int i = 0; i < n; i++) {
      double z = CounterRng.normal(key, i);
      sum += z;
      sumSq += z * z;
    }
    assertEquals(0, sum / n, 0.01);
    assertEquals(1, sumSq / n, 0.02);
  }

  @Test
  void nextIntCoversTheRangeEvenly() {
    long key = CounterRng.key(3L, 0L, 0);
    int[] counts = new int[7];
    for (int i = 0; i < 70_000; i++) counts[CounterRng.nextInt(key, i, 7)]++;
    for (int c : counts) assertEquals(10_000, c, 500);
  }

  @Test
  void neighbouringStreamsAreUncorrelated() {
    long a = CounterRng.key(5L, 0L, 0), b = CounterRng.key(5L, 0L, 1);
    int n = 100_000, agree = 0;
    for (int i = 0; i < n; i++) {
      if ((CounterRng.uniform(a, i) < 0.5f) == (CounterRng.uniform(b, i) < 0.5f)) agree++;
    }
    assertEquals(0.5, agree / (double) n, 0.01);
  }
}
