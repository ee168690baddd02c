package dev.jgpt.cli.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class NiceTicksTest {

  private static List<String> labels(Ticks t) {
    return t.values().stream().map(t::label).toList();
  }

  @Test
  void stepsAreOneTwoOrFiveTimesAPowerOfTenAndTheRangeIsWidenedToThem() {
    Ticks loss = NiceTicks.linear(1.23, 4.56, 6);
    assertEquals(List.of("1", "2", "3", "4", "5"), labels(loss));
    assertEquals(1.0, loss.low());
    assertEquals(5.0, loss.high());
    assertEquals(List.of("0", "500", "1000", "1500", "2000", "2500", "3000"), labels(NiceTicks.linear(0, 3000, 8)));
    assertEquals(List.of("2.0", "2.2", "2.4", "2.6"), labels(NiceTicks.linear(2.05, 2.55, 6)));
    assertEquals(List.of("0.1", "0.2", "0.3"), labels(NiceTicks.linear(0.1, 0.3, 3)), "no 0.30000000000000004");
  }

  @Test
  void wideningThatAddsATickMovesUpADecade() {
    // step 1 would need 1..6 (6 ticks) for 1.75..5.4: the next nice step, 2, fits
    assertEquals(List.of("0", "2", "4", "6"), labels(NiceTicks.linear(1.75, 5.4, 5)));
    assertEquals(List.of("-5", "0", "5"), labels(NiceTicks.linear(-4, 3, 2)), "at least 3 ticks around 0");
  }

  @Test
  void ticksInsideKeepTheRangeOfTheData() {
    Ticks t = NiceTicks.inside(1.75, 5.4, 5);
    assertEquals(List.of("2", "3", "4", "5"), labels(t));
    assertEquals(1.75, t.low());
    assertEquals(5.4, t.high());
    assertEquals(List.of("1.2", "1.4"), labels(NiceTicks.inside(1.13, 1.42, 2)));
  }

  @Test
  void smallAndLargeNumbersStayShort() {
    assertEquals(List.of("0", "2e-4", "4e-4", "6e-4"), labels(NiceTicks.linear(0, 6e-4, 4)), "a learning rate");
    assertEquals(List.of("0", "0.005", "0.010"), labels(NiceTicks.linear(0, 0.01, 3)));
    assertEquals(List.of("0", "0.5M", "1.0M", "1.5M", "2.0M"), labels(NiceTicks.linear(0, 1.9e6, 5)));
    assertEquals(List.of("0", "100k", "200k", "300k"), labels(NiceTicks.linear(0, 3e5, 4)));
  }

  @Test
  void aSingleValueGetsARangeAroundIt() {
    Ticks t = NiceTicks.linear(3, 3, 5);
    assertEquals(true, t.low() < 3 && t.high() > 3, t.toString());
  }

  @Test
  void logTicksAreOneTwoFivePerDecadeThinnedWhenCrowded() {
    assertEquals(List.of("1", "2", "5", "10", "20"), labels(NiceTicks.log10(1.2, 11, 6)));
    assertEquals(List.of("2", "3", "4", "5"), labels(NiceTicks.log10(2.5, 4.7, 6)), "within a decade: every digit");
    assertEquals(List.of("1e-5", "1e-4", "0.001", "0.01"), labels(NiceTicks.log10(2e-5, 6e-3, 4)));
    assertEquals(List.of("0.001", "1", "1000"), labels(NiceTicks.log10(0.002, 900, 4)), "every third decade");
    Ticks t = NiceTicks.log10(1, 100, 3);
    assertEquals(0.5, t.fraction(10), 1e-12, "log space: 10 halfway between 1 and 100");
  }
}
