package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LrScheduleTest {
  // nanoGPT's CPU recipe: lr 1e-3, min_lr 1e-4, warmup 100, lr_decay_iters 2000
  private final LrSchedule cosine = new LrSchedule(LrSchedule.Kind.COSINE, 1e-3, 1e-4, 100, 2000);

  @Test
  void warmupMatchesNanoGptGetLr() {
    assertEquals(1e-3 * 1 / 101, cosine.lr(0), 1e-15);
    assertEquals(1e-3 * 50 / 101, cosine.lr(49), 1e-15);
    assertEquals(1e-3 * 100 / 101, cosine.lr(99), 1e-15);
    assertEquals(1e-3, cosine.lr(100), 1e-15);
  }

  @Test
  void cosineDecayGoldenValues() {
    // values of nanoGPT's get_lr(it) computed by hand: min + 0.5 (1 + cos(pi r)) (max - min)
    assertEquals(8.681980515339464e-4, cosine.lr(575), 1e-15); // r = 0.25
    assertEquals(5.5e-4, cosine.lr(1050), 1e-15); // r = 0.5
    assertEquals(2.3180194846605365e-4, cosine.lr(1525), 1e-15); // r = 0.75
    assertEquals(1e-4, cosine.lr(2000), 1e-15);
    assertEquals(1e-4, cosine.lr(5000), 1e-15);
  }

  @Test
  void cosineIsMonotoneAfterWarmup() {
    for (int it = 101; it <= 2100; it++) assertTrue(cosine.lr(it) <= cosine.lr(it - 1), "at " + it);
  }

  @Test
  void linearDecay() {
    LrSchedule linear = new LrSchedule(LrSchedule.Kind.LINEAR, 1e-3, 1e-4, 100, 2000);
    assertEquals(1e-3, linear.lr(100), 1e-15);
    assertEquals(7.75e-4, linear.lr(575), 1e-15);
    assertEquals(5.5e-4, linear.lr(1050), 1e-15);
    assertEquals(1e-4, linear.lr(2000), 1e-15);
    assertEquals(1e-4, linear.lr(2001), 1e-15);
  }

  @Test
  void constantKeepsThePeakAfterWarmup() {
    LrSchedule constant = new LrSchedule(LrSchedule.Kind.CONSTANT, 3e-4, 0, 10, 0);
    assertEquals(3e-4 / 11, constant.lr(0), 1e-15);
    assertEquals(3e-4, constant.lr(10), 1e-15);
    assertEquals(3e-4, constant.lr(1_000_000), 1e-15);
  }

  @Test
  void noWarmupStartsAtThePeak() {
    LrSchedule s = new LrSchedule(LrSchedule.Kind.COSINE, 1e-3, 0, 0, 10);
    assertEquals(1e-3, s.lr(0), 1e-15);
    assertEquals(0, s.lr(10), 1e-15);
  }

  @Test
  void rejectsImpossibleSettings() {
    var e = assertThrows(IllegalArgumentException.class, () -> new LrSchedule(LrSchedule.Kind.COSINE, 1e-3, 1e-4, 100, 100));
    assertTrue(e.getMessage().contains("lr_decay_iters"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new LrSchedule(LrSchedule.Kind.COSINE, 1e-3, 2e-3, 0, 100));
    assertThrows(IllegalArgumentException.class, () -> new LrSchedule(LrSchedule.Kind.COSINE, 0, 0, 0, 100));
    var k = assertThrows(IllegalArgumentException.class, () -> LrSchedule.Kind.parse("step"));
    assertTrue(k.getMessage().contains("cosine, linear, constant"), k.getMessage());
    assertEquals(LrSchedule.Kind.LINEAR, LrSchedule.Kind.parse(" Linear "));
  }
}
