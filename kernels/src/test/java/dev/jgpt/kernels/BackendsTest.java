package dev.jgpt.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
  }

  @Test
  void anUnknownNameListsTheKnownOnes() {
    var e = assertThrows(IllegalArgumentException.class, () -> Backends.provider("quantum"));
    assertTrue(e.getMessage().contains("reference"), e.getMessage());
  }

  @Test
  void autoSaysWhichBackendItChoseAndWhy() {
    Backends.Choice c = Backends.choose("auto");
    boolean tornadoBuilt = Backends.providers().stream().anyMatch(p -> p.name().equals("tornado"));
    if (!tornadoBuilt) {
      assertEquals("backend: cpu (auto: tornado is not on the class path)", c.reason());
    } else {
      // The tornado profile: TornadoAutoChoiceTest pins the choice on its device.
      assertTrue(c.reason().startsWith("backend: " + c.provider().name() + " (auto: "), c.reason());
    }
    assertEquals("backend: reference (chosen with --backend)", Backends.choose("reference").reason());
  }

  @Test
  void autoSkipsADeviceSlowerThanTheCpuAndPicksAFastOne() {
    BackendProvider cpu = Backends.provider("cpu");
    Backends.Choice slow = Backends.chooseAuto(List.of(fakeTornado("device 0 (PoCL) is a CPU OpenCL device"), cpu));
    assertEquals("cpu", slow.provider().name());
    assertEquals("backend: cpu (auto: tornado skipped: device 0 (PoCL) is a CPU OpenCL device)", slow.reason());
    Backends.Choice fast = Backends.chooseAuto(List.of(cpu, fakeTornado(null)));
    assertEquals("tornado", fast.provider().name());
    assertTrue(fast.reason().startsWith("backend: tornado (auto: "), fast.reason());
  }

  @Test
  void aDeviceOutOfRangeIsAOneLineError() {
    var e = assertThrows(IllegalArgumentException.class, () -> Backends.open("cpu", 1, 0));
    assertEquals("--device 1: backend cpu has 1 device(s), 0..0; see `jgpt devices`", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Backends.open("cpu", -1, 0));
    try (Backend b = Backends.open("cpu", 0, 2)) {
      assertEquals("cpu", b.name());
    }
  }

  /** A runnable "tornado" whose device is slower than the CPU when {@code notPreferred} is not null. */
  private static BackendProvider fakeTornado(String notPreferred) {
    return new BackendProvider() {
      @Override public String name() { return "tornado"; }
      @Override public String unavailableReason() { return null; }
      @Override public String notPreferredOverCpuReason() { return notPreferred; }
      @Override public List<String> devices() { return List.of("0: fake"); }
      @Override public Backend create(int device, int threads) { throw new UnsupportedOperationException(); }
    };
  }
}
