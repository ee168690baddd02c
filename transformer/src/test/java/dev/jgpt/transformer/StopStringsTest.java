package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringsTest {

  @Test
  void textBeforeAStopIsReleasedAndTheStopIsNeverPrinted() {
    StopStrings s = new StopStrings(List.of("\n\n", "END"));
    StringBuilder out = new StringBuilder();
    for (String piece : List.of("Hello", " wor", "ld\n", "\nmore")) out.append(s.push(piece));
    assertTrue(s.stopped());
    assertEquals("Hello world", out.toString());
    assertEquals("", s.push("ignored"));
    assertEquals("", s.flush());
  }

  @Test
  void aPossibleStartOfAStopIsHeldBackUntilItIsDecided() {
    StopStrings s = new StopStrings(List.of("END"));
    assertEquals("abc ", s.push("abc E"));
    assertEquals("", s.push("N"));
    assertEquals("ENx", s.push("x"));
    assertFalse(s.stopped());
    assertEquals("a", s.push("aE"));
    assertEquals("E", s.flush());
  }

  @Test
  void theEarliestStopWinsWhenTwoAppearInOnePiece() {
    StopStrings s = new StopStrings(List.of("b", "a"));
    assertEquals("x", s.push("xab"));
    assertTrue(s.stopped());
  }

  @Test
  void withoutStopsEverythingPassesThrough() {
    StopStrings s = new StopStrings(List.of());
    assertEquals("anything\n\n", s.push("anything\n\n"));
    assertEquals("", s.flush());
  }
}
