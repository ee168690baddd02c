package dev.jgpt.kernels.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.FloatBuf;
import org.junit.jupiter.api.Test;

/**
 * Buffers are checked against the device's largest allocation (here forced to 64 KiB with
 * -Djgpt.tornado.maxAllocation) when they are allocated: one that would not fit fails with one
 * line saying what the model needs; below the limit the backend works as usual.
 */
class DeviceMemoryTest {
  @Test
  void aBufferBeyondTheDevicesLargestAllocationFailsWithWhatItNeeds() {
    System.setProperty("jgpt.tornado.maxAllocation", "64k");
    try (TornadoBackend be = TornadoTesting.backend(false, true)) {
      FloatBuf small = be.allocFloat("params", 8 * 1024); // 32 KiB: fits
      var e = assertThrows(IllegalArgumentException.class, () -> be.allocFloat("acts", 12 * 1024)); // 80 KiB in all
      String line = e.getMessage();
      assertTrue(line.startsWith("the model does not fit on "), line);
      assertTrue(line.contains("need 80.0 KiB in one device buffer (at \"acts\")"), line);
      assertTrue(line.contains("allows 64.0 KiB per buffer"), line);
      assertTrue(line.contains("lower --batch-size or --block-size"), line);
      float[] ones = new float[8 * 1024];
      java.util.Arrays.fill(ones, 1f);
      be.write(small, 0, ones, 0, ones.length);
      be.zero(small.slice(0, 4)); // an op on the device
      float[] back = new float[8 * 1024];
      be.read(small, 0, back, 0, back.length);
      java.util.Arrays.fill(ones, 0, 4, 0f);
      assertArrayEquals(ones, back);
    } finally {
      System.clearProperty("jgpt.tornado.maxAllocation");
    }
  }

  @Test
  void sizesReadAsBinaryUnits() {
    System.setProperty("jgpt.test.size", "64m");
    try {
      assertEquals(64L << 20, SizeProperty.bytes("jgpt.test.size", 0));
      System.setProperty("jgpt.test.size", "12GB");
      assertEquals(12L << 30, SizeProperty.bytes("jgpt.test.size", 0));
      System.setProperty("jgpt.test.size", "lots");
      assertThrows(IllegalArgumentException.class, () -> SizeProperty.bytes("jgpt.test.size", 0));
    } finally {
      System.clearProperty("jgpt.test.size");
    }
    assertEquals(7, SizeProperty.bytes("jgpt.test.size", 7));
  }
}
