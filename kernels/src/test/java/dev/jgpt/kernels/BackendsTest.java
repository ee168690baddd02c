package dev.jgpt.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackendsTest {
  @Test
  void referenceIsFoundByName() {
    try (Backend b = Backends.open("reference", 0)) {
      assertEquals("reference", b.name());
    }
  }

  @Test
  void cpuIsFoundByNameAndAutoPicksIt() {
    try (Backend b = Backends.open("cpu", 3)) {
      assertEquals("cpu", b.name());
      assertTrue(b.description().contains("3 threads"), b.description());
    }
    assertEquals("cpu", Backends.provider("auto").name());
  }

  @Test
  void anUnknownNameListsTheKnownOnes() {
    var e = assertThrows(IllegalArgumentException.class, () -> Backends.provider("quantum"));
    assertTrue(e.getMessage().contains("reference"), e.getMessage());
  }
}
