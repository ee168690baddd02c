package dev.jgpt.kernels.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.FloatBuf;
import org.junit.jupiter.api.Test;

/**
 * Buffers are checked against the device's largest allocation (here forced to 64 KiB with
 * -Djgpt.tornado.maxAllocation) when they are allocated, each kind on its own (each is one device
 * buffer): one that would not fit fails with one line saying which kind needs how much; below the
 * limit the backend works as usual, also when all kinds together pass it.
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
  void eachKindIsItsOwnDeviceBufferSoTheModelMayExceedOneAllocation() {
    System.setProperty("jgpt.tornado.maxAllocation", "64k");
    try (TornadoBackend be = TornadoTesting.backend(false, true)) {
      int n = 12 * 1024; // 48 KiB a kind, 144 KiB in all: over 64 KiB together, each under it
      FloatBuf weight = be.allocFloat("weight", n, BufferKind.PARAMETERS);
      FloatBuf dweight = be.allocFloat("dweight", n, BufferKind.GRADIENTS);
      FloatBuf x = be.allocFloat("x", n, BufferKind.ACTIVATIONS);
      float[] w = new float[n], ones = new float[n];
      for (int i = 0; i < n; i++) w[i] = i % 7;
      java.util.Arrays.fill(ones, 1f);
      be.write(weight, 0, w, 0, n);
      be.write(dweight, 0, ones, 0, n);
      be.write(x, 0, ones, 0, n);
      // on the device, over two kinds: x (1,n) @ weight (1,n)^T = sum of w; dweight (1,n) += 1 * x
      be.matmulForward(x.slice(0, 1), x.slice(1, n - 1), weight.slice(1, n - 1), null, 1, n - 1, 1);
      be.matmulBackward(null, dweight.slice(1, n - 1), null, x.slice(0, 1), x.slice(1, n - 1), weight.slice(1, n - 1), 1,
          n - 1, 1);
      float[] back = new float[n];
      be.read(x, 0, back, 0, 1);
      float sum = 0f;
      for (int i = 1; i < n; i++) sum += w[i];
      assertEquals(sum, back[0], 0f);
      be.read(dweight, 0, back, 0, n);
      assertEquals(1f, back[0]);
      for (int i = 1; i < n; i++) assertEquals(1f + sum, back[i], 0f, "dweight[" + i + "]");
    } finally {
      System.clearProperty("jgpt.tornado.maxAllocation");
    }
  }

  @Test
  void oneKindBeyondTheLargestAllocationFailsNamingIt() {
    System.setProperty("jgpt.tornado.maxAllocation", "64k");
    try (TornadoBackend be = TornadoTesting.backend(false, true)) {
      be.allocFloat("acts", 12 * 1024); // 48 KiB of activations: fits
      be.allocFloat("grads", 12 * 1024, BufferKind.GRADIENTS); // fits: its own buffer
      var e = assertThrows(IllegalArgumentException.class, () -> be.allocFloat("params", 20 * 1024,
          BufferKind.PARAMETERS));
      String line = e.getMessage();
      assertTrue(line.startsWith("the model does not fit on "), line);
      assertTrue(line.endsWith(": its parameters need 80.0 KiB in one device buffer (at \"params\"), and the device"
          + " allows 64.0 KiB per buffer; use a smaller model"), line);
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
