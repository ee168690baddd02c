package dev.jgpt.kernels.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backends;
import org.junit.jupiter.api.Test;

/** --backend auto on a real TornadoVM: a CPU OpenCL device (PoCL) loses to the cpu backend, a GPU wins. */
class TornadoAutoChoiceTest {
  @Test
  void autoPicksTornadoOnlyWhenDeviceZeroIsNotACpu() {
    assertNull(TornadoTesting.PROVIDER.unavailableReason(), "the profile's tests need TornadoVM");
    boolean cpuDevice = TornadoDevices.all().get(0).cpu();
    Backends.Choice c = Backends.choose("auto");
    if (cpuDevice) {
      assertEquals("cpu", c.provider().name());
      assertTrue(c.reason().startsWith("backend: cpu (auto: tornado skipped: device 0 (")
          && c.reason().contains("is a CPU OpenCL device"), c.reason());
    } else {
      assertEquals("tornado", c.provider().name());
    }
    assertEquals("tornado", Backends.choose("tornado").provider().name(), "asked for by name, it still runs");
  }

  @Test
  void aDeviceBeyondTheListIsAOneLineError() {
    int count = TornadoDevices.all().size();
    var e = assertThrows(IllegalArgumentException.class, () -> Backends.open("tornado", count, 0));
    assertEquals("--device " + count + ": backend tornado has " + count + " device(s), 0.." + (count - 1)
        + "; see `jgpt devices`", e.getMessage());
  }
}
